#!/bin/sh
# bench/run.sh [BUILD_DIR]: crm against the sqlite3 shell doing the same work
# on the same data, in one run, with the ratios and crm's peak memory.
#   CUSTOMERS=1000000 EVENTS=5000000 NOTES=1000000 by default; data is kept in bench/data.
#   ROWS=add-200k runs only the first row (crm-add of 200,000 customers): seconds, not an hour.
#   ROWS=profile runs only the crm-profile rows, on the data of the last run when it is there.
# Needs the sqlite3 shell and GNU time (Debian: apt-get install sqlite3 time).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/${1:-build}
customers=${CUSTOMERS:-1000000}
events=${EVENTS:-5000000}
notes=${NOTES:-1000000}
rows=${ROWS:-all}
case $rows in all | add-200k | profile) ;; *) echo "bench: ROWS is all, add-200k or profile" >&2; exit 2 ;; esac
for tool in sqlite3 /usr/bin/time; do
	command -v "$tool" > /dev/null || { echo "bench: $tool is needed (apt-get install sqlite3 time)" >&2; exit 2; }
done
export TZ=Asia/Shanghai LC_ALL=C.UTF-8 CRM_NOW=2024-12-31 PATH="$bin:$PATH"
data=$top/bench/data
mkdir -p "$data"
cd "$data"
sqlite3="sqlite3 -cmd 'PRAGMA cache_size = -16000'" # the page cache crm uses

run() { # run COMMAND: sets secs and mb (peak resident memory)
	/usr/bin/time -f '%e %M' -o time.out sh -c "$1" > /dev/null 2> run.err ||
		{ echo "bench: failed: $1" >&2; cat run.err >&2; exit 1; }
	read -r secs kb < time.out
	mb=$((kb / 1024))
}

printf '%-56s %9s %9s %7s %8s %8s\n' job crm sqlite3 ratio target 'crm peak'
report() { # label, crm seconds, crm MB, sqlite3 seconds, target
	ratio=$(echo "$2 $4" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else printf "-" }')
	printf '%-56s %8ss %8ss %6sx %7sx %6s MB\n' "$1" "$2" "$4" "$ratio" "$5" "$3"
}
faster() { # faster SECS BEST: SECS beats BEST, or there is no BEST yet
	[ -z "$2" ] || [ "$(echo "$1 $2" | awk '{ print ($1 < $2) }')" = 1 ]
}
best() { # best COMMAND: sets secs and mb from the fastest of three runs
	b=
	for _ in 1 2 3; do
		run "$1"
		if faster "$secs" "$b"; then b=$secs; bm=$mb; fi
	done
	secs=$b
	mb=$bm
}
fresh() { # fresh DB: a copy of ours.db, on disk
	rm -f "$1" "$1-wal" "$1-shm"
	cp ours.db "$1"
	sync
}
rules() { # the ten rules of tag-apply.sql, given to crm
	crm-tag -q -d "$1" --rule r01 --tag 上海 -w "city = '上海'"
	crm-tag -q -d "$1" --rule r02 --tag 北京 -w "city = '北京'"
	crm-tag -q -d "$1" --rule r03 --tag 活跃 -w "count(purchase, 90d) >= 1"
	crm-tag -q -d "$1" --rule r04 --tag 高频 -w "count(purchase, 90d) >= 3"
	crm-tag -q -d "$1" --rule r05 --tag 大客户 -w "sum(purchase, 1y) > 3000"
	crm-tag -q -d "$1" --rule r06 --tag 沉睡 -w "since(purchase) > 180"
	crm-tag -q -d "$1" --rule r07 --tag 年轻女性 -w "gender = '女' and age < 30"
	crm-tag -q -d "$1" --rule r08 --tag 小程序 -w "source = '小程序'"
	crm-tag -q -d "$1" --rule r09 --tag 退款多 -w "count(refund, 1y) >= 2"
	crm-tag -q -d "$1" --rule r10 --tag 只看不买 -w "count(visit, 30d) >= 3 and count(purchase, 30d) = 0"
}
same_records() { # crm's csv and the sqlite3 shell's (CRLF, non-ASCII quoted) hold the same
	tr -d '\r"' < "$2" | cmp -s "$1" - || { echo "bench: $1 and $2 differ" >&2; exit 1; }
}
data_files() { # the data, made once: c, e and nf name its files
	c=customers-$customers; e=events-$events-$customers
	if [ ! -s "$c.csv" ] || [ ! -s "$c.sqlite.csv" ]; then
		crm-gen customers "$customers" > "$c.csv"
		crm-gen customers "$customers" --sqlite | sed 's/,$/,{}/' > "$c.sqlite.csv"
	fi
	if [ ! -s "$e.csv" ] || [ ! -s "$e.sqlite.csv" ]; then
		crm-gen events "$events" --customers "$customers" > "$e.csv"
		crm-gen events "$events" --customers "$customers" --sqlite | sed 's/,$/,{}/' > "$e.sqlite.csv"
	fi
	nf=notes-$notes-$customers
	if [ ! -s "$nf.csv" ] || [ ! -s "$nf.sqlite.csv" ]; then
		crm-gen notes "$notes" --customers "$customers" > "$nf.csv"
		crm-gen notes "$notes" --customers "$customers" --sqlite > "$nf.sqlite.csv"
	fi
}

# crm-profile, on profile.db: the data with the notes, the ten rules' tags,
# both models' scores and the segment 沉睡大客户, made before the clock
# starts and kept while ours.db is as it was (ROWS=profile runs these alone).
profile_db() {
	[ profile.db -nt ours.db ] && return
	rm -f profile.new.db*
	if [ -s notes.crm.db ]; then
		mv notes.crm.db profile.new.db # the notes rows' copy of ours.db
	else
		fresh profile.new.db
		crm-note -d profile.new.db -q --import "$nf.csv"
	fi
	rules profile.new.db
	crm-tag -q -d profile.new.db --apply > /dev/null
	crm-score -q -d profile.new.db --define value "$top/examples/value.model"
	crm-score -q -d profile.new.db --all > /dev/null
	crm-score -q -d profile.new.db -m rfm --all > /dev/null
	crm-segment -q -d profile.new.db --save 沉睡大客户 -w 'sum(purchase, 1y) > 3000 and since(purchase) > 90'
	mv profile.new.db profile.db
}
turns() { # turns N CRM_COMMAND SQLITE3_COMMAND: the best of N runs of each, taking
	# turns; sets cs, cm and secs
	cs=; sq=
	for _ in $(seq "$1"); do
		run "$2"
		if faster "$secs" "$cs"; then cs=$secs; cm=$mb; fi
		run "$3"
		if faster "$secs" "$sq"; then sq=$secs; fi
	done
	secs=$sq
}
median_ms() { # median_ms COMMAND ARG...: the median of eleven runs, in milliseconds
	for _ in 1 2 3 4 5 6 7 8 9 10 11; do
		start=$(date +%s%N)
		"$@" > /dev/null
		echo $((($(date +%s%N) - start) / 1000000))
	done | sort -n | sed -n 6p
}
profile_rows() {
	profile_db
	# a portrait: its questions by hand are bench/profile-portrait.sql
	turns 2 "crm-profile -d profile.db -s 沉睡大客户 -o csv > portrait.crm" \
		"sqlite3 profile.db '.read $top/bench/profile-portrait.sql' > portrait.sqlite3"
	size=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "group_count") k = i } $1 == "size" { print $k }' portrait.crm)
	report "crm-profile -s 沉睡大客户 ($size customers), a portrait" "$cs" "$cm" "$secs" 1.3
	tr -d '"' < portrait.crm > portrait.crm.plain # a measure's name holds a comma
	same_records portrait.crm.plain portrait.sqlite3
	# a page: the customer with notes who has the most events
	id=$(sqlite3 profile.db "SELECT c.id FROM customers c WHERE c.cid = (SELECT e.cid FROM events e
		WHERE e.cid IN (SELECT cid FROM notes) GROUP BY e.cid ORDER BY count(*) DESC, e.cid LIMIT 1)")
	run "crm-profile -d profile.db $id -o json > page.crm"
	grep -q "\"id\":\"$id\"" page.crm || { echo "bench: the page of $id is not its" >&2; exit 1; }
	printf '%-56s %8s ms, median of 11, %d events (target: under 50 ms) %6s MB\n' \
		"crm-profile $id -o json, a page" "$(median_ms crm-profile -d profile.db "$id" -o json)" \
		"$(sqlite3 profile.db "SELECT count(*) FROM events e JOIN customers c USING (cid) WHERE c.id = '$id'")" "$mb"
}
if [ "$rows" = profile ]; then
	data_files
	if [ ! -s ours.db ] || [ "$(sqlite3 ours.db 'SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM events)' 2> /dev/null)" != "$customers|$events" ]; then
		rm -f ours.db*
		crm-export -d ours.db --all > /dev/null
		crm-add -q -d ours.db "$c.csv" > /dev/null
		crm-add -q -d ours.db -k events "$e.csv" > /dev/null
	fi
	profile_rows
	echo "(the crm-profile rows of make bench, on its data; $(nproc) cores; $(date +%F))"
	exit 0
fi

# crm-add into a new database against .import into a new table with the
# same keys as the file (id primary key, a phone index). The same file: its
# header names the table's columns and is skipped as a row. Best of three,
# taking turns, each side into a database made anew.
small=customers-200000
[ -s "$small.csv" ] || crm-gen customers 200000 > "$small.csv"
table="CREATE TABLE c (id TEXT PRIMARY KEY, $(head -1 "$small.csv" | cut -d, -f2-)); CREATE INDEX c_phone ON c(phone)"
cs=; sq=
for _ in 1 2 3; do
	rm -f new.crm.db* new.sqlite3.db*
	run "crm-add -q -d new.crm.db $small.csv"
	if faster "$secs" "$cs"; then cs=$secs; cm=$mb; fi
	run "$sqlite3 -cmd '$table' new.sqlite3.db '.import --csv --skip 1 $small.csv c'"
	if faster "$secs" "$sq"; then sq=$secs; fi
done
report "crm-add 200000 customers, new db (id, phone keys)" "$cs" "$cm" "$sq" 1.5
[ "$(sqlite3 new.crm.db 'SELECT count(*) FROM customers')" = "$(sqlite3 new.sqlite3.db 'SELECT count(*) FROM c')" ] ||
	{ echo "bench: the two imports of $small.csv hold different numbers of rows" >&2; exit 1; }
rm -f new.crm.db* new.sqlite3.db*
if [ "$rows" = add-200k ]; then
	echo "(one row of make bench; $(nproc) cores; $(date +%F))"
	exit 0
fi

# The same data twice: as a user's export for crm, and as rows of crm's
# tables for .import (cid and eid first, amounts in cents, attrs '{}' where
# crm stores NULL, since .import stores empty cells as '').
data_files
rm -f ours.db* theirs.db*
crm-export -d ours.db --all > /dev/null   # the same schema, made by crm
crm-export -d theirs.db --all > /dev/null
# .import cannot store NULL: every empty ref would collide in this unique
# index, which holds nothing when refs are NULL, as crm's are.
sqlite3 theirs.db 'DROP INDEX events_ref'

run "crm-add -q -d ours.db $c.csv"
cs=$secs; cm=$mb
run "$sqlite3 theirs.db '.import --csv $c.sqlite.csv customers'"
report "crm-add $customers customers" "$cs" "$cm" "$secs" 1.5

run "crm-add -q -d ours.db -k events $e.csv"
cs=$secs; cm=$mb
run "$sqlite3 theirs.db '.import --csv $e.sqlite.csv events'"
report "crm-add $events events (indexed table)" "$cs" "$cm" "$secs" 0.5

fields=id,name,phone,email,wechat_id,gender,birthday,city,province,source,owner,created_at,updated_at
run "crm-export -d ours.db --all -f $fields > export.crm.csv"
cs=$secs; cm=$mb
run "$sqlite3 -csv -header ours.db 'SELECT $fields FROM customers' > export.sqlite3.csv"
report "crm-export $customers customers (csv)" "$cs" "$cm" "$secs" 1.5

[ "$(wc -l < export.crm.csv)" = "$(wc -l < export.sqlite3.csv)" ] ||
	{ echo "bench: the two exports differ in length" >&2; exit 1; }

# Questions, against the same questions written by hand in SQL. Short runs
# vary: each side is timed three times and its best counts.
export CRM_DB=$data/ours.db
since=$(date -d "$CRM_NOW -89 days" +%F) # the first day of a 90-day window ending on CRM_NOW
best "crm-segment -o ids -w \"count(purchase, 90d) >= 5 and city = '上海'\" > segment.crm"
cs=$secs; cm=$mb
best "sqlite3 ours.db \"SELECT c.id FROM customers c WHERE c.city = '上海' AND (SELECT count(*)
	FROM events e WHERE e.cid = c.cid AND e.type = 'purchase' AND e.ts >= '$since'
	AND e.ts < date('$CRM_NOW', '+1 day')) >= 5\" > segment.sqlite3"
report "crm-segment -w 'count(purchase, 90d) >= 5 and city...'" "$cs" "$cm" "$secs" 1.3
cmp -s segment.crm segment.sqlite3 || { echo "bench: the two selections differ" >&2; exit 1; }

year=$(date -d "$CRM_NOW -364 days" +%F) # the first day of a 1y window
best "crm-segment -o ids --sort '-sum(purchase, 1y)' --limit 50 > top.crm"
cs=$secs; cm=$mb
best "sqlite3 ours.db \"SELECT c.id FROM customers c ORDER BY (SELECT coalesce(sum(e.amount_cents), 0)
	FROM events e WHERE e.cid = c.cid AND e.type = 'purchase' AND e.ts >= '$year'
	AND e.ts < date('$CRM_NOW', '+1 day')) DESC, c.cid LIMIT 50\" > top.sqlite3"
report "crm-segment --sort '-sum(purchase, 1y)' --limit 50" "$cs" "$cm" "$secs" 1.3
cmp -s top.crm top.sqlite3 || { echo "bench: the two top 50 differ" >&2; exit 1; }

best "crm-segment --all --by city -o csv > by.crm"
cs=$secs; cm=$mb
best "sqlite3 -csv ours.db \"SELECT city, count(*) AS n, round(count(*) * 100.0 /
	(SELECT count(*) FROM customers), 1) FROM customers GROUP BY city ORDER BY n DESC\" > by.sqlite3"
report "crm-segment --by city" "$cs" "$cm" "$secs" 1.3

# The audit by hand: what is missing, what is not well formed, what repeats.
cat > quality.sql <<'SQL'
SELECT count(*), count(name),
 count(phone), sum(phone IS NOT NULL AND NOT (phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
  OR phone GLOB '[+0-9][0-9][0-9][0-9][0-9][0-9][0-9]*')), count(phone) - count(DISTINCT phone),
 count(email), sum(email IS NOT NULL AND email NOT LIKE '%_@_%._%'), count(email) - count(DISTINCT email),
 count(wechat_id), count(wechat_id) - count(DISTINCT wechat_id),
 count(gender), sum(gender IS NOT NULL AND gender NOT IN ('男', '女')),
 count(birthday), sum(birthday IS NOT NULL AND date(birthday) IS NOT birthday),
 count(city), count(province), count(source), count(owner)
FROM customers;
SQL
best "crm-segment --all --quality -o table > quality.crm"
cs=$secs; cm=$mb
best "sqlite3 ours.db '.read quality.sql' > quality.sqlite3"
report "crm-segment --quality" "$cs" "$cm" "$secs" 1.3

# Tags. Each side works on its own copy of the database as it is now, made
# before the clock starts.
race_fresh() { # race_fresh CRM_COMMAND SQLITE3_COMMAND: best of five, taking turns, each
	# run on a fresh copy (tags.crm.db, tags.sqlite3.db); sets cs, cm and secs
	cs=; sq=
	for _ in 1 2 3 4 5; do
		fresh tags.crm.db
		run "$1"
		if faster "$secs" "$cs"; then cs=$secs; cm=$mb; fi
		fresh tags.sqlite3.db
		run "$2"
		if faster "$secs" "$sq"; then sq=$secs; fi
	done
	secs=$sq
}

fresh tags.crm.db
rules tags.crm.db
run "crm-tag -d tags.crm.db --apply > apply.crm"
cs=$secs; cm=$mb
fresh tags.sqlite3.db
run "$sqlite3 tags.sqlite3.db '.read $top/bench/tag-apply.sql' > apply.sqlite3"
report "crm-tag --apply, 10 rules, first run ($(($(wc -l < apply.crm) - 1)) changes)" "$cs" "$cm" "$secs" 1.3
same_records apply.crm apply.sqlite3
best "crm-tag -d tags.crm.db --apply > apply.crm"
cs=$secs; cm=$mb
best "$sqlite3 tags.sqlite3.db '.read $top/bench/tag-apply.sql' > apply.sqlite3"
report "crm-tag --apply, 10 rules, again (no changes)" "$cs" "$cm" "$secs" 1.3
# crm writes its header even when nothing changed; the shell's SQL writes nothing
[ "$(wc -l < apply.crm)" -eq 1 ] && [ ! -s apply.sqlite3 ] || { echo "bench: a second --apply changed something" >&2; exit 1; }

{ echo id; awk -F, 'NR > 1 && NR % 10 == 0 { print $1 }' "$c.csv"; } > ids.csv # every tenth customer
race_fresh "crm-tag -d tags.crm.db -a 活动 < ids.csv > ids.crm" \
	"$sqlite3 tags.sqlite3.db '.read $top/bench/tag-ids.sql' > ids.sqlite3"
report "crm-tag -a on $(($(wc -l < ids.csv) - 1)) ids from stdin, passed through" "$cs" "$cm" "$secs" 1.3
same_records ids.crm ids.sqlite3
rm -f tags.crm.db* tags.sqlite3.db*

# Scores: the SPEC's model and rfm, each on its own fresh copy, first run and
# again (nothing changes), against the same work by hand (bench/score-*.sql).
score_race() { # score_race LABEL CRM_ARGS SQL_FILE OUTPUT_NAME
	run "crm-score -d score.crm.db $2 > $4.crm"
	cs=$secs; cm=$mb
	run "$sqlite3 score.sqlite3.db '.read $top/bench/$3' > $4.sqlite3"
	report "$1, first run" "$cs" "$cm" "$secs" 1.3
	same_records "$4.crm" "$4.sqlite3"
	best "crm-score -d score.crm.db $2 > $4.crm"
	cs=$secs; cm=$mb
	best "$sqlite3 score.sqlite3.db '.read $top/bench/$3' > $4.sqlite3"
	report "$1, again" "$cs" "$cm" "$secs" 1.3
	same_records "$4.crm" "$4.sqlite3"
}
fresh score.crm.db
fresh score.sqlite3.db
crm-score -q -d score.crm.db --define value "$top/examples/value.model"
score_race "crm-score --all, examples/value.model" --all score-model.sql value
score_race "crm-score -m rfm --all" "-m rfm --all" score-rfm.sql rfm
rm -f score.crm.db* score.sqlite3.db*

# Notes: an import into the indexed table, then searches. grep -P reads the
# same text, exported to a file, one note a line.
fresh notes.crm.db
fresh notes.sqlite3.db
run "crm-note -d notes.crm.db -q --import $nf.csv"
cs=$secs; cm=$mb
run "$sqlite3 notes.sqlite3.db '.import --csv $nf.sqlite.csv notes'"
report "crm-note --import $notes notes (text index kept)" "$cs" "$cm" "$secs" 1.5
[ "$(sqlite3 notes.crm.db 'SELECT count(*) FROM notes')" = "$(sqlite3 notes.sqlite3.db 'SELECT count(*) FROM notes')" ] ||
	{ echo "bench: the two imports hold different numbers of notes" >&2; exit 1; }
sqlite3 notes.crm.db 'SELECT body FROM notes' > notes.txt
for pattern in '想要发票.*小样' '订单号 \d{3}999 ' '(?i)PREFERS 口红' '退款|退货'; do
	best "crm-note -d notes.crm.db -l --all --search '$pattern' > search.crm"
	cs=$secs; cm=$mb
	best "grep -P '$pattern' notes.txt > search.grep"
	report "crm-note -l --search '$pattern' (vs grep -P)" "$cs" "$cm" "$secs" 2
	[ $(($(wc -l < search.crm) - 1)) = "$(wc -l < search.grep)" ] ||
		{ echo "bench: --search '$pattern' and grep -P found different notes" >&2; exit 1; }
done
for words in 362845 '物流太慢 想要发票' 发票; do
	best "crm-note -d notes.crm.db -l --all --text '$words' > text.crm"
	printf '%-56s %8s ms, %d notes found (target: under 50 ms)\n' "crm-note -l --text '$words'" \
		"$(echo "$secs" | awk '{ if ($1 > 0) printf "%d", $1 * 1000; else printf "<10" }')" \
		$(($(wc -l < text.crm) - 1)) # GNU time counts in hundredths
done
profile_rows # on notes.crm.db, which has the notes
rm -f notes.crm.db* notes.sqlite3.db*

sqlite3 ours.db 'PRAGMA integrity_check' | grep -qx ok || { echo "bench: integrity check failed" >&2; exit 1; }
echo "(same data and schema; the page cache crm uses on both sides: 16 MB for imports, SQLite's default for questions; $(nproc) cores; $(date +%F))"

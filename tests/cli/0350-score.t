#!/bin/sh
# crm-score: models, scoring, rfm, explanations, the history of grades.
. "$(dirname "$0")/../lib.sh"

export CRM_NOW=2024-06-30
crm-add -q "$TESTS/data/expr-customers.csv" > /dev/null
crm-add -q -k events "$TESTS/data/expr-events.csv" > /dev/null
cat > m1.model <<'EOF'
# m1: spending and visits
grade A 100
grade B 50
grade C 0
rule 100 sum(purchase, 365d) >= 500   # big spender
rule  50 count(visit, 30d) >= 2       # visits
rule -10 since(purchase) > 60
EOF

# ---- models ----
err 'defines a model; the first becomes the default' \
	"crm-score: model 'm1' version 1 stored; it is the default model (score.model)" 'crm-score --define m1 m1.model'
out '... which the setting names' 'm1' 'crm-segment --config score.model | sed 1d | cut -d, -f2'
out '--show prints it back as given' "$(cat m1.model)" 'crm-score --show m1'
ok 'defining it again keeps the first version' \
	"sed 's/grade B 50/grade B 40/' m1.model | crm-score -q --define m1 -"
out '... both stored' '1
2' "q \"SELECT version FROM models WHERE name = 'm1'\""
out '... --show gives the latest' 'grade B 40' "crm-score --show m1 | grep '^grade B'"
out '--models lists them, with rfm built in' 'model,version,rules,grades,customers,defined_at
m1,2,3,A;B;C,0,2024-06-30T00:00:00
rfm,0,,Champions;Loyal Customers;Potential Loyalist;New Customers;Promising;Need Attention;About To Sleep;At Risk;Can'"'"'t Lose Them;Lost;Others,0,' \
	'crm-score --models'
ok 'back to B at 50' 'crm-score -q --define m1 m1.model'

# ---- a model that does not parse is refused, where it goes wrong ----
model_err() { # model_err 'what' 'stderr' 'model text'
	printf '%s\n' "$3" > bad.model
	err "$1" "$2" 'crm-score --define bad bad.model'
}
model_err 'an unknown line' 'crm-score: bad.model:2:1: a line of a model is a grade, a rule or a # comment
  bonus 10 age > 30
  ^' 'grade A 0
bonus 10 age > 30'
model_err 'a rule without points' 'crm-score: bad.model:2:6: a rule starts with its points: rule 40 sum(purchase, 365d) >= 5000
  rule ten age > 30
       ^' 'grade A 0
rule ten age > 30'
model_err 'an expression that does not compile, at its column in the file' "crm-score: bad.model:3:22: unknown field 'agee' (crm-export --list-fields lists them)
  rule 10  age > 1 and agee > 2
                       ^" 'grade A 0
# a comment
rule 10  age > 1 and agee > 2'
model_err 'a grade without a floor' "crm-score: bad.model:1:9: a grade's floor is a number: grade A 80
  grade A high
          ^" 'grade A high
rule 1 age > 1'
model_err 'a grade given twice' "crm-score: bad.model:2:7: grade 'A' is given twice
  grade A 10
        ^" 'grade A 0
grade A 10
rule 1 age > 1'
model_err 'a model without rules' 'crm-score: bad.model: a model needs at least one grade line and one rule line' 'grade A 0'
model_err 'a segment line is for rfm' 'crm-score: bad.model:1:1: a line of a model is a grade, a rule or a # comment
  segment 4-5 6 1 Top
  ^' 'segment 4-5 6 1 Top'
err 'rfm takes segment lines with scores 1 to 5' 'crm-score: bad.model:1:13: a segment gives R, F and M as scores or ranges from 1 to 5, then its name: segment 4-5 4-5 4-5 Champions
  segment 4-5 6 1 Top
              ^' 'crm-score --define rfm bad.model'
err '... and no grade or rule lines' 'crm-score: m1.model:2:1: the rfm model holds segment lines: segment R F M NAME' \
	'crm-score --define rfm m1.model 2>&1 | head -1 >&2'
out 'nothing bad was stored' '' "q \"SELECT name FROM models WHERE name IN ('bad', 'rfm')\""
err 'a missing file' 'crm-score: nope.model: No such file or directory' 'crm-score --define m2 nope.model'
fails 1 '... is an error' 'crm-score --define m2 nope.model'
err 'a model name with a space' "crm-score: model 'a b': no spaces, commas or control characters in a model's name" \
	"crm-score --define 'a b' m1.model"
fails 2 'the file is needed' 'crm-score --define m2'

# ---- scoring ----
out 'scores the chosen customers: id, score, grade, previous grade' 'id,score,grade,previous_grade
C1,100,A,
C2,140,A,
C3,0,C,
C4,-10,C,
C5,0,C,' 'crm-score --all'
err '... and says what it stored' 'crm-score: m1: 5 scored, 0 stored anew, 0 changed grade' 'crm-score --all > /dev/null'
out '... the same again, nothing stored anew' '5|2024-06-30' "q \"SELECT count(*), max(as_of) FROM scores WHERE model = 'm1'\""
out 'each first grade is a change from none' 'C1||A
C2||A
C3||C
C4||C
C5||C' "q \"SELECT c.id, h.from_grade, h.to_grade FROM grade_history h JOIN customers c USING (cid) ORDER BY c.id\""
out 'score and grade work in expressions and export' 'id,score,grade
C1,100,A
C2,140,A' "crm-segment -w \"grade = 'A' and score >= 100\" -f id,score,grade"
out '... grade() and score() name the model' 'C2' "crm-segment -o ids -w \"grade('m1') = 'A' and score('m1') > 100\""
out '... and --by grade counts them' 'grade,count,share
C,3,60.0
A,2,40.0' 'crm-segment --all --by grade'
out 'a stream passes through, the scores added' 'id,note,score,grade,previous_grade
C3,hi,0,C,C' "printf 'id,note\nC3,hi\n' | crm-score"
out 'ids as arguments' 'id,score,grade,previous_grade
C4,-10,C,C' 'crm-score C4'
out '-w with an event aggregate of its own: the scores --all gives them' \
	'id,score,grade,previous_grade
C1,100,A,A
C2,140,A,A' "crm-score -q -w 'sum(purchase, 365d) >= 500'"
err 'an unknown customer scores nothing' "crm-score: unknown customer 'C9'
crm-score: nothing was scored: fix the selection first" 'crm-score C1 C9'
err 'a model that does not exist' "crm-score: no model 'nope' (crm-score --models)" 'crm-score -m nope --all'

# ---- the history of grades ----
ok 'as of a later day, C1 and C2 fall, C5 rises' 'crm-score -q --all --as-of 2024-09-30 > /dev/null'
out '... from A to B' 'C1,m1,2024-09-30,A,B
C2,m1,2024-09-30,A,B' 'crm-score --changes --from A --to B | sed 1d'
out '--since: a day, or a window ending on the day' 'C1,m1,2024-09-30,A,B
C2,m1,2024-09-30,A,B
C5,m1,2024-09-30,C,B' 'crm-score --changes --since 7d --as-of 2024-10-01 | sed 1d'
out '... nothing since then: the header alone' 'customer_id,model,as_of,from_grade,to_grade' \
	'crm-score --changes --since 2024-10-01'
out '--from none: the first grades' 'C3
C4
C5' "crm-score --changes --from none --to C -o csv | sed 1d | cut -d, -f1 | sort -u"
out '--matrix counts them, from by to' 'from,A,B,C,none
A,0,2,0,0
B,0,0,0,0
C,0,1,0,0
none,2,0,3,0' 'crm-score --changes --matrix'
ok 'a change that comes back the same day leaves no change' \
	"crm-score -q --all --as-of 2024-09-30 > /dev/null && crm-score -q -m m1 C1 --as-of 2024-09-30 > /dev/null"
out '... (C1 is rescored as of the day it fell: still one change)' '1' \
	"q \"SELECT count(*) FROM grade_history h JOIN customers c USING (cid) WHERE c.id = 'C1' AND as_of = '2024-09-30'\""
cat > up.model <<'EOF'
grade A 100
grade C 0
rule 100 age > 0
rule 100 sum(purchase, 365d) >= 500
EOF
ok 'scored by another model the same day and back: the day shows no change for it' \
	"crm-score -q --define up up.model && crm-score -q -m up C1 --as-of 2024-09-30 > /dev/null"
out '... its own history' 'C1||A' "q \"SELECT c.id, from_grade, to_grade FROM grade_history h JOIN customers c USING (cid) WHERE model = 'up'\""

# ---- --explain ----
out '--explain: each rule, whether it matched, the score and the grade' 'rule,label,points,matched
"sum(purchase, 365d) >= 500",big spender,100,yes
"count(visit, 30d) >= 2",visits,50,no
since(purchase) > 60,,-10,no
score,,100,
grade,A,,' 'crm-score --explain C1'
out '... as of another day' 'score,,90,' 'crm-score --explain C1 --as-of 2024-09-30 | grep ^score'
err '... an unknown customer' "crm-score: unknown customer 'C9'" 'crm-score --explain C9'

# ---- --dry-run ----
out '--define --dry-run: how the grades would move' 'grade,now,new,change
A,2,1,-1
B,0,1,1
C,3,3,0' "sed 's/rule  50 count/rule 150 count/; s/grade A 100/grade A 200/' m1.model > m1b.model; crm-score --define m1 m1b.model --dry-run"
out '... and stores nothing' '3' "q \"SELECT max(version) FROM models WHERE name = 'm1'\""

# ---- rfm ----
out 'rfm: R, F and M against cut points at R quantiles, ties scored alike' 'id,score,grade,previous_grade
C1,554,Champions,
C2,115,Others,
C3,412,Potential Loyalist,
C4,211,About To Sleep,
C5,,,' 'crm-score -m rfm --all'
out '--explain: the values, their scores and the cut points (type 7 quantiles + 1)' 'part,value,score,cut_points
recency,120,2,13;41;101;145.4
frequency,1,1,2;2;2;2.8
monetary,30,1,61;185;497;2761
rfm,211,,
segment,About To Sleep,,' 'crm-score -m rfm --explain C4'
out '... refunds reduce the monetary value (C4: 50 less 20)' 'monetary,30' 'crm-score -m rfm --explain C4 | grep ^monetary | cut -d, -f1,2'
out 'rfm and rfm_segment in expressions' 'id,rfm,rfm_segment
C1,554,Champions' "crm-segment -w \"rfm_segment = 'Champions'\" -f id,rfm,rfm_segment"
out 'C5 has no purchase in the window: no values, not invented ones' 'C5,,' "crm-export -f id,rfm,rfm_segment C5 | sed 1d"
out 'a customer whose purchases leave the window loses its values' 'C1,454,Champions,Champions
C2,,,Others' 'crm-score -m rfm C1 C2 --as-of 2025-01-15 | sed 1d'
out '... and that is a change of segment' 'C2,rfm,2025-01-15,Others,' 'crm-score -m rfm --changes --to none | sed 1d'
ok 'rfm.window all looks at every purchase' 'crm-segment -q --config rfm.window=all'
out '... so C2 is back, and C5 too after its purchase' 'C2,115,Others,
C5,514,Others,' 'crm-score -m rfm C2 C5 --as-of 2024-12-31 | sed 1d'
ok 'the segment table can be replaced' "printf 'segment 1-5 1-5 4-5 Spenders\n' | crm-score -q --define rfm -"
out '... its text given back' 'segment 1-5 1-5 4-5 Spenders' 'crm-score --show rfm'
out '... and used' 'C1,554,Spenders,Champions' 'crm-score -m rfm C1 --as-of 2024-06-30 | sed 1d'
ok 'the window back to its default' 'crm-segment -q --config rfm.window=365d'

# ---- the dump ----
ok 'the dump round-trips models, scores and the history' \
	'crm-export --dump > d1 && crm-add -q -d r.db < d1 > /dev/null && crm-export -d r.db --dump | head -n -1 > d2 && cmp d1 d2'
out '... which it holds' "$(q 'SELECT count(*) FROM models; SELECT count(*) FROM scores; SELECT count(*) FROM grade_history')" \
	"grep -c '\"kind\":\"model\"' d1; grep -c '\"kind\":\"score\"' d1; grep -c '\"kind\":\"grade_change\"' d1"

# ---- the nightly example, over simulated days ----
cp -r "$EXAMPLES" ex
crm-add -q -d n.db ex/customers.csv > /dev/null
CRM_NOW=2024-10-31 crm-add -q -d n.db -k events ex/events.csv > /dev/null
CRM_NOW=2024-10-31 crm-score -q -d n.db --define value ex/value.model
CRM_NOW=2024-10-31 crm-tag -q -d n.db --rule 沉睡 --tag 沉睡 -w 'since(purchase) > 90'
for day in 2024-11-01 2024-11-02 2024-12-31 2025-02-15; do
	ok "nightly.sh runs on $day" "CRM_DB=\$PWD/n.db CRM_NOW=$day sh ex/nightly.sh > night-$day.out"
done
fell() { # the changes of a day from A or B to C or D, as the history holds them
	crm-score -d n.db -m value --changes --from A,B --to C,D | grep -c ",value,$1,"
}
out '... the first night nobody falls: a first grade is no fall, and it is quiet' '' 'cat night-2024-11-01.out'
for day in 2024-11-02 2024-12-31 2025-02-15; do
	out "... on $day it tells who fell that day, as the history holds it" "$(fell $day)" \
		"grep -c 'value  $day' night-$day.out || true"
done
out '... and says nothing on a night nobody fell' '' \
	"for d in 2024-11-02 2024-12-31 2025-02-15; do [ \"\$(grep -c value night-\$d.out)\" = 0 ] && cat night-\$d.out; done; true"
out '... rfm was scored each night' '2025-02-15' 'dumped -d n.db score model=rfm as_of | sort | tail -1'
out '... and the tag rules applied' '1' "crm-export -d n.db --dump | grep -c -m 1 '\"source\":\"rule:沉睡\"'"

# ---- usage ----
fails 2 'one job at a time' 'crm-score --models --changes'
fails 2 '--dry-run goes with --define' 'crm-score --dry-run --models'
fails 2 '--matrix goes with --changes' 'crm-score --matrix --all'
fails 2 'customers are chosen only for scoring' 'crm-score --changes --all'
fails 2 '-m does not go with --define' 'crm-score -m m1 --define m1 m1.model'
out 'no model and no default: a usage error that says how' 'crm-score: which model? give -m NAME (crm-score --models), or set the default with crm-segment --config score.model=NAME' \
	"crm-segment -q --config score.model= && crm-score --all 2>&1 | head -1"
fails 2 '... exit 2' 'crm-score --all'
# ---- a model of one grade ----
printf 'grade 全部 0\nrule 1 age > 1\n' > one.model
out 'a model of one grade gives everyone that grade' '全部' \
	'crm-score -q -d one.db --define one one.model && crm-add -q -d one.db --set id=X > /dev/null && crm-score -q -d one.db -m one --all | sed 1d | cut -d, -f3 | sort -u'
done_testing

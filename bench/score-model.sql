-- crm-score --all with examples/value.model, by hand, as of 2024-12-31: the
-- same scores, grades, stores and history. Each event aggregate the model
-- asks about is computed once per customer in one pass, as one would write it.
BEGIN;
CREATE TEMP TABLE agg AS SELECT cid,
 sum(CASE WHEN type = 'purchase' AND ts >= date('2024-12-31', '-364 days') THEN amount_cents END) / 100.0 AS spent,
 count(CASE WHEN ts >= date('2024-12-31', '-179 days') THEN 1 END) AS recent,
 max(ts) AS last
 FROM events WHERE type = 'purchase' AND ts < '2025-01-01' GROUP BY cid;
CREATE TEMP TABLE scored AS SELECT x.cid, x.s,
 CASE WHEN x.s >= 80 THEN 'A' WHEN x.s >= 60 THEN 'B' WHEN x.s >= 40 THEN 'C' ELSE 'D' END AS grade,
 o.grade AS previous, o.score AS old_score
 FROM (SELECT c.cid,
   CASE WHEN coalesce(a.spent, 0) >= 5000 THEN 40 ELSE 0 END
 + CASE WHEN coalesce(a.spent, 0) >= 1000 THEN 20 ELSE 0 END
 + CASE WHEN coalesce(a.recent, 0) >= 3 THEN 20 ELSE 0 END
 + CASE WHEN EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.tid = ct.tid
     WHERE ct.cid = c.cid AND t.name = '推荐人' AND (ct.expires_on IS NULL OR ct.expires_on > '2024-12-31'))
     THEN 10 ELSE 0 END
 + CASE WHEN julianday('2024-12-31') - julianday(substr(a.last, 1, 10)) > 180 THEN -25 ELSE 0 END AS s
 FROM customers c LEFT JOIN agg a ON a.cid = c.cid) x
 LEFT JOIN scores o ON o.cid = x.cid AND o.model = 'value';
INSERT INTO scores (cid, model, score, grade, as_of)
 SELECT cid, 'value', s, grade, '2024-12-31' FROM scored WHERE old_score IS NOT s OR previous IS NOT grade
 ON CONFLICT (cid, model) DO UPDATE SET score = excluded.score, grade = excluded.grade, as_of = excluded.as_of;
INSERT INTO grade_history (cid, model, as_of, from_grade, to_grade)
 SELECT cid, 'value', '2024-12-31', previous, grade FROM scored WHERE previous IS NOT grade
 ON CONFLICT (cid, model, as_of) DO UPDATE SET to_grade = excluded.to_grade;
COMMIT;
.headers on
.mode csv
SELECT c.id, x.s AS score, x.grade, x.previous AS previous_grade FROM scored x JOIN customers c ON c.cid = x.cid ORDER BY x.cid;

-- crm-score -m rfm --all, by hand, as of 2024-12-31 with the 365-day window:
-- R's type-7 quantiles at 20/40/60/80% from window functions, scores against
-- those plus one, the default segment table, then the same stores and history.
BEGIN;
CREATE TEMP TABLE b AS SELECT cid,
 CAST(julianday('2024-12-31') - julianday(substr(max(CASE WHEN type = 'purchase' THEN ts END), 1, 10)) AS INTEGER) AS r,
 sum(type = 'purchase') AS f,
 sum(CASE WHEN type = 'purchase' THEN coalesce(amount_cents, 0) ELSE -coalesce(amount_cents, 0) END) / 100.0 AS m
 FROM events WHERE type IN ('purchase', 'refund') AND ts >= date('2024-12-31', '-364 days') AND ts < '2025-01-01'
 GROUP BY cid HAVING sum(type = 'purchase') > 0;
-- the position of each quantile among the n sorted values, and its neighbours
CREATE TEMP TABLE at AS WITH p(i) AS (VALUES (1), (2), (3), (4))
 SELECT i, h, CAST(h AS INTEGER) AS lo, CAST(h AS INTEGER) + (h > CAST(h AS INTEGER)) AS hi
 FROM (SELECT i, 1 + (count(*) - 1) * (i * 0.2) AS h FROM p, b GROUP BY i);
-- each measure sorted, its rank the key
CREATE TEMP TABLE sr (k INTEGER PRIMARY KEY, v);
CREATE TEMP TABLE sf (k INTEGER PRIMARY KEY, v);
CREATE TEMP TABLE sm (k INTEGER PRIMARY KEY, v);
INSERT INTO sr SELECT row_number() OVER (ORDER BY r), r FROM b;
INSERT INTO sf SELECT row_number() OVER (ORDER BY f), f FROM b;
INSERT INTO sm SELECT row_number() OVER (ORDER BY m), m FROM b;
-- R's (1 - h) x[lo] + h x[hi] where they differ, plus one
CREATE TEMP TABLE cut AS SELECT at.i,
 CASE WHEN at.h > at.lo AND r1.v <> r0.v THEN (1 - (at.h - at.lo)) * r0.v + (at.h - at.lo) * r1.v ELSE r0.v END + 1 AS r,
 CASE WHEN at.h > at.lo AND f1.v <> f0.v THEN (1 - (at.h - at.lo)) * f0.v + (at.h - at.lo) * f1.v ELSE f0.v END + 1 AS f,
 CASE WHEN at.h > at.lo AND m1.v <> m0.v THEN (1 - (at.h - at.lo)) * m0.v + (at.h - at.lo) * m1.v ELSE m0.v END + 1 AS m
 FROM at JOIN sr r0 ON r0.k = at.lo JOIN sr r1 ON r1.k = at.hi JOIN sf f0 ON f0.k = at.lo
 JOIN sf f1 ON f1.k = at.hi JOIN sm m0 ON m0.k = at.lo JOIN sm m1 ON m1.k = at.hi;
CREATE TEMP TABLE s AS SELECT b.cid,
 5 - (SELECT count(*) FROM cut WHERE b.r >= cut.r) AS rs,
 1 + (SELECT count(*) FROM cut WHERE b.f >= cut.f) AS fs,
 1 + (SELECT count(*) FROM cut WHERE b.m >= cut.m) AS ms FROM b;
CREATE TEMP TABLE scored AS SELECT c.cid, s.rs * 100 + s.fs * 10 + s.ms AS score,
 CASE WHEN s.cid IS NULL THEN NULL
  WHEN s.rs BETWEEN 4 AND 5 AND s.fs BETWEEN 4 AND 5 AND s.ms BETWEEN 4 AND 5 THEN 'Champions'
  WHEN s.rs BETWEEN 2 AND 5 AND s.fs BETWEEN 3 AND 5 AND s.ms BETWEEN 3 AND 5 THEN 'Loyal Customers'
  WHEN s.rs BETWEEN 3 AND 5 AND s.fs BETWEEN 1 AND 3 AND s.ms BETWEEN 1 AND 3 THEN 'Potential Loyalist'
  WHEN s.rs BETWEEN 4 AND 5 AND s.fs = 1 AND s.ms = 1 THEN 'New Customers'
  WHEN s.rs BETWEEN 3 AND 4 AND s.fs = 1 AND s.ms = 1 THEN 'Promising'
  WHEN s.rs BETWEEN 2 AND 3 AND s.fs BETWEEN 2 AND 3 AND s.ms BETWEEN 2 AND 3 THEN 'Need Attention'
  WHEN s.rs BETWEEN 2 AND 3 AND s.fs BETWEEN 1 AND 2 AND s.ms BETWEEN 1 AND 2 THEN 'About To Sleep'
  WHEN s.rs BETWEEN 1 AND 2 AND s.fs BETWEEN 2 AND 5 AND s.ms BETWEEN 2 AND 5 THEN 'At Risk'
  WHEN s.rs = 1 AND s.fs BETWEEN 4 AND 5 AND s.ms BETWEEN 4 AND 5 THEN 'Can''t Lose Them'
  WHEN s.rs BETWEEN 1 AND 2 AND s.fs BETWEEN 1 AND 2 AND s.ms BETWEEN 1 AND 2 THEN 'Lost'
  ELSE 'Others' END AS grade,
 o.grade AS previous, o.score AS old_score
 FROM customers c LEFT JOIN s ON s.cid = c.cid LEFT JOIN scores o ON o.cid = c.cid AND o.model = 'rfm';
INSERT INTO scores (cid, model, score, grade, as_of)
 SELECT cid, 'rfm', score, grade, '2024-12-31' FROM scored
 WHERE score IS NOT NULL AND (old_score IS NOT score OR previous IS NOT grade)
 ON CONFLICT (cid, model) DO UPDATE SET score = excluded.score, grade = excluded.grade, as_of = excluded.as_of;
DELETE FROM scores WHERE model = 'rfm' AND cid IN (SELECT cid FROM scored WHERE score IS NULL AND old_score IS NOT NULL);
INSERT INTO grade_history (cid, model, as_of, from_grade, to_grade)
 SELECT cid, 'rfm', '2024-12-31', previous, grade FROM scored WHERE previous IS NOT grade
 ON CONFLICT (cid, model, as_of) DO UPDATE SET to_grade = excluded.to_grade;
COMMIT;
.headers on
.mode csv
SELECT c.id, x.score, x.grade, x.previous AS previous_grade FROM scored x JOIN customers c ON c.cid = x.cid ORDER BY x.cid;

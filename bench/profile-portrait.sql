-- crm-profile -s 沉睡大客户 -o csv, by hand, for the sqlite3 shell as of
-- 2024-12-31: the group (sum(purchase, 1y) > 3000 and since(purchase) > 90)
-- in a temp table, then one GROUP BY per field counting group and base
-- (everyone), one for the tags, one for the products, and for each number
-- its values sorted, ranks as keys, to read R's type-7 quartiles from. The
-- 1y window starts 2024-01-02; amounts are in cents; stage thresholds are
-- the defaults (30, 90, 180 days); score and grade are model value's. The
-- rows collect in r, and are written as crm writes them.
CREATE TEMP TABLE g (cid INTEGER PRIMARY KEY);
INSERT INTO g SELECT c.cid FROM customers c
 WHERE (SELECT coalesce(sum(e.amount_cents), 0) FROM events e WHERE e.cid = c.cid AND e.type = 'purchase'
  AND e.ts >= '2024-01-02' AND e.ts < '2025-01-01') > 300000
 AND (SELECT julianday('2024-12-31') - julianday(substr(max(e.ts), 1, 10)) FROM events e
  WHERE e.cid = c.cid AND e.type = 'purchase' AND e.ts < '2025-01-01') > 90;
CREATE TEMP TABLE n AS SELECT (SELECT count(*) FROM g) AS g, (SELECT count(*) FROM customers) AS b;
CREATE TEMP TABLE r (k INTEGER PRIMARY KEY, section, field, value, gc, gt, bc, bt, q1, q2, q3, b1, b2, b3);
INSERT INTO r (section, field, gc, gt, bc, bt) SELECT 'size', 'customers', g, b, b, b FROM n;

-- fields: what sets the group apart first (its share minus the base's, g/G -
-- b/B, compared as g*B - b*G), then the most in the group, no value last,
-- then the value; ten of each
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'gender', c.gender, count(g.cid), n.g, count(*), n.b FROM customers c LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY c.gender ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, c.gender IS NULL, c.gender LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'city', c.city, count(g.cid), n.g, count(*), n.b FROM customers c LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY c.city ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, c.city IS NULL, c.city LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'province', c.province, count(g.cid), n.g, count(*), n.b FROM customers c LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY c.province ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, c.province IS NULL, c.province LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'source', c.source, count(g.cid), n.g, count(*), n.b FROM customers c LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY c.source ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, c.source IS NULL, c.source LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'owner', c.owner, count(g.cid), n.g, count(*), n.b FROM customers c LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY c.owner ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, c.owner IS NULL, c.owner LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'stage', s.stage, count(g.cid), n.g, count(*), n.b FROM (SELECT c.cid,
  (SELECT CASE WHEN max(e.ts) IS NULL THEN 'potential'
   WHEN julianday('2024-12-31') - julianday(substr(min(e.ts), 1, 10)) < 30 THEN 'new'
   WHEN julianday('2024-12-31') - julianday(substr(max(e.ts), 1, 10)) < 90 THEN 'active'
   WHEN julianday('2024-12-31') - julianday(substr(max(e.ts), 1, 10)) <= 180 THEN 'dormant' ELSE 'churned' END
   FROM events e WHERE e.cid = c.cid AND e.type = 'purchase' AND e.ts < '2025-01-01') AS stage
  FROM customers c) s LEFT JOIN g ON g.cid = s.cid, n
 GROUP BY s.stage ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, s.stage IS NULL, s.stage LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'grade', s.grade, count(g.cid), n.g, count(*), n.b FROM customers c
  LEFT JOIN scores s ON s.cid = c.cid AND s.model = 'value' LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY s.grade ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, s.grade IS NULL, s.grade LIMIT 10;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'fields', 'rfm_segment', s.grade, count(g.cid), n.g, count(*), n.b FROM customers c
  LEFT JOIN scores s ON s.cid = c.cid AND s.model = 'rfm' LEFT JOIN g ON g.cid = c.cid, n
 GROUP BY s.grade ORDER BY count(g.cid) * n.b - count(*) * n.g > 0 DESC, abs(count(g.cid) * n.b - count(*) * n.g) DESC, count(g.cid) DESC, s.grade IS NULL, s.grade LIMIT 10;

-- tags: each current tag, and the customers with none
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'tags', 'tags', v, sum(ing), n.g, count(*), n.b FROM (
  SELECT t.name AS v, g.cid IS NOT NULL AS ing FROM customer_tags ct JOIN tags t ON t.tid = ct.tid
   LEFT JOIN g ON g.cid = ct.cid WHERE ct.expires_on IS NULL OR ct.expires_on > '2024-12-31'
  UNION ALL
  SELECT NULL, g.cid IS NOT NULL FROM customers c LEFT JOIN g ON g.cid = c.cid WHERE NOT EXISTS (SELECT 1
   FROM customer_tags ct WHERE ct.cid = c.cid AND (ct.expires_on IS NULL OR ct.expires_on > '2024-12-31'))), n
 GROUP BY v ORDER BY sum(ing) * n.b - count(*) * n.g > 0 DESC, abs(sum(ing) * n.b - count(*) * n.g) DESC, sum(ing) DESC, v IS NULL, v LIMIT 10;

-- numbers: each customer's value (x), then the values sorted with their
-- ranks as keys, in the base (sb) and in the group (sg); a quartile at p of
-- n values is at h = (n - 1)p + 1, between ranks floor(h) and floor(h) + 1
CREATE TEMP TABLE x (cid INTEGER PRIMARY KEY, v);
CREATE TEMP TABLE sb (k INTEGER PRIMARY KEY, v);
CREATE TEMP TABLE sg (k INTEGER PRIMARY KEY, v);
CREATE TEMP VIEW quartile AS WITH p(i, p) AS (VALUES (1, 0.25), (2, 0.5), (3, 0.75)),
 h AS (SELECT 'b' AS s, i, ((SELECT max(k) FROM sb) - 1) * p + 1 AS h FROM p
  UNION ALL SELECT 'g', i, ((SELECT max(k) FROM sg) - 1) * p + 1 FROM p),
 v AS (SELECT s, i, h, CASE s WHEN 'b' THEN (SELECT v FROM sb WHERE k = CAST(h AS INTEGER))
  ELSE (SELECT v FROM sg WHERE k = CAST(h AS INTEGER)) END AS lo,
  CASE s WHEN 'b' THEN (SELECT v FROM sb WHERE k = CAST(h AS INTEGER) + 1)
  ELSE (SELECT v FROM sg WHERE k = CAST(h AS INTEGER) + 1) END AS hi FROM h)
 SELECT s, i, CASE WHEN h > CAST(h AS INTEGER) THEN lo + (h - CAST(h AS INTEGER)) * (hi - lo) ELSE lo END AS q FROM v;
CREATE TEMP VIEW number AS SELECT 'numbers' AS section, coalesce((SELECT max(k) FROM sg), 0) AS gc, n.g AS gt,
 coalesce((SELECT max(k) FROM sb), 0) AS bc, n.b AS bt,
 (SELECT q FROM quartile WHERE s = 'g' AND i = 1) AS q1, (SELECT q FROM quartile WHERE s = 'g' AND i = 2) AS q2,
 (SELECT q FROM quartile WHERE s = 'g' AND i = 3) AS q3, (SELECT q FROM quartile WHERE s = 'b' AND i = 1) AS b1,
 (SELECT q FROM quartile WHERE s = 'b' AND i = 2) AS b2, (SELECT q FROM quartile WHERE s = 'b' AND i = 3) AS b3 FROM n;

INSERT INTO x SELECT c.cid, CASE WHEN c.birthday IS NULL OR c.birthday > '2024-12-31' THEN NULL
 ELSE 2024 - CAST(substr(c.birthday, 1, 4) AS INTEGER) - ('12-31' < substr(c.birthday, 6, 5)) END FROM customers c;
INSERT INTO sb SELECT row_number() OVER (ORDER BY v), v FROM x WHERE v IS NOT NULL;
INSERT INTO sg SELECT row_number() OVER (ORDER BY x.v), x.v FROM g JOIN x ON x.cid = g.cid WHERE x.v IS NOT NULL;
INSERT INTO r (field, section, gc, gt, bc, bt, q1, q2, q3, b1, b2, b3) SELECT 'age', * FROM number;
DELETE FROM x; DELETE FROM sb; DELETE FROM sg;

INSERT INTO x SELECT c.cid, s.score FROM customers c JOIN scores s ON s.cid = c.cid AND s.model = 'value';
INSERT INTO sb SELECT row_number() OVER (ORDER BY v), v FROM x WHERE v IS NOT NULL;
INSERT INTO sg SELECT row_number() OVER (ORDER BY x.v), x.v FROM g JOIN x ON x.cid = g.cid WHERE x.v IS NOT NULL;
INSERT INTO r (field, section, gc, gt, bc, bt, q1, q2, q3, b1, b2, b3) SELECT 'score', * FROM number;
DELETE FROM x; DELETE FROM sb; DELETE FROM sg;

INSERT INTO x SELECT c.cid, (SELECT coalesce(sum(e.amount_cents), 0) / 100.0 FROM events e WHERE e.cid = c.cid
 AND e.type = 'purchase' AND e.ts >= '2024-01-02' AND e.ts < '2025-01-01') FROM customers c;
INSERT INTO sb SELECT row_number() OVER (ORDER BY v), v FROM x WHERE v IS NOT NULL;
INSERT INTO sg SELECT row_number() OVER (ORDER BY x.v), x.v FROM g JOIN x ON x.cid = g.cid WHERE x.v IS NOT NULL;
INSERT INTO r (field, section, gc, gt, bc, bt, q1, q2, q3, b1, b2, b3) SELECT 'sum(purchase, 365d)', * FROM number;
DELETE FROM x; DELETE FROM sb; DELETE FROM sg;

INSERT INTO x SELECT c.cid, (SELECT count(*) FROM events e WHERE e.cid = c.cid
 AND e.type = 'purchase' AND e.ts >= '2024-01-02' AND e.ts < '2025-01-01') FROM customers c;
INSERT INTO sb SELECT row_number() OVER (ORDER BY v), v FROM x WHERE v IS NOT NULL;
INSERT INTO sg SELECT row_number() OVER (ORDER BY x.v), x.v FROM g JOIN x ON x.cid = g.cid WHERE x.v IS NOT NULL;
INSERT INTO r (field, section, gc, gt, bc, bt, q1, q2, q3, b1, b2, b3) SELECT 'count(purchase, 365d)', * FROM number;
DELETE FROM x; DELETE FROM sb; DELETE FROM sg;

INSERT INTO x SELECT c.cid, (SELECT CAST(julianday('2024-12-31') - julianday(substr(max(e.ts), 1, 10)) AS INTEGER)
 FROM events e WHERE e.cid = c.cid AND e.type = 'purchase' AND e.ts < '2025-01-01') FROM customers c;
INSERT INTO sb SELECT row_number() OVER (ORDER BY v), v FROM x WHERE v IS NOT NULL;
INSERT INTO sg SELECT row_number() OVER (ORDER BY x.v), x.v FROM g JOIN x ON x.cid = g.cid WHERE x.v IS NOT NULL;
INSERT INTO r (field, section, gc, gt, bc, bt, q1, q2, q3, b1, b2, b3) SELECT 'since(purchase)', * FROM number;

-- products: of the customers who bought anything, the share who bought each
CREATE TEMP TABLE buyers AS SELECT count(g.cid) AS g, count(*) AS b FROM (SELECT e.cid FROM events e
 WHERE e.type = 'purchase' AND e.ts < '2025-01-01' GROUP BY e.cid) e LEFT JOIN g ON g.cid = e.cid;
INSERT INTO r (section, field, value, gc, gt, bc, bt)
 SELECT 'products', 'product', e.product, count(g.cid), buyers.g, count(*), buyers.b FROM (SELECT e.product, e.cid
  FROM events e WHERE e.type = 'purchase' AND e.ts < '2025-01-01' AND e.product IS NOT NULL GROUP BY e.product, e.cid) e
  LEFT JOIN g ON g.cid = e.cid, buyers
 GROUP BY e.product ORDER BY count(g.cid) * buyers.b - count(*) * buyers.g > 0 DESC, abs(count(g.cid) * buyers.b - count(*) * buyers.g) DESC, count(g.cid) DESC,
  e.product LIMIT 10;

.headers on
.mode csv
SELECT section, field, value, printf('%.6f', gc * 1.0 / gt) AS group_share, printf('%.6f', bc * 1.0 / bt) AS base_share,
 CASE WHEN section IN ('size', 'numbers') OR bc = 0 THEN NULL ELSE printf('%.1f', 100.0 * gc * bt / (gt * bc)) END AS "index",
 gc AS group_count, gt AS group_total, bc AS base_count, bt AS base_total,
 CASE WHEN q1 IS NOT NULL THEN printf('%.15g', q1) END AS group_q1, CASE WHEN q2 IS NOT NULL THEN printf('%.15g', q2) END AS group_median, CASE WHEN q3 IS NOT NULL THEN printf('%.15g', q3) END AS group_q3,
 CASE WHEN b1 IS NOT NULL THEN printf('%.15g', b1) END AS base_q1, CASE WHEN b2 IS NOT NULL THEN printf('%.15g', b2) END AS base_median, CASE WHEN b3 IS NOT NULL THEN printf('%.15g', b3) END AS base_q3 FROM r ORDER BY k;

-- Schema version 4: WeChat's openid and unionid name a customer, as a phone
-- does (crm-add --match openid). They stay custom attributes (a column of
-- their own would change every export's fields); these indexes find them.
-- "attrs IS NOT NULL" first: a customer without custom attributes (most, in
-- a bulk import) costs the index one test, not a JSON function call.
CREATE INDEX customers_openid ON customers(json_extract(attrs, '$.openid'))
	WHERE attrs IS NOT NULL AND json_extract(attrs, '$.openid') IS NOT NULL;
CREATE INDEX customers_unionid ON customers(json_extract(attrs, '$.unionid'))
	WHERE attrs IS NOT NULL AND json_extract(attrs, '$.unionid') IS NOT NULL;

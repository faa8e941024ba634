-- Schema version 4: WeChat's openid and unionid name a customer, as a phone
-- does (crm-add --match openid). They stay custom attributes (a column of
-- their own would change every export's fields); these indexes find them.
CREATE INDEX customers_openid ON customers(json_extract(attrs, '$.openid'))
	WHERE json_extract(attrs, '$.openid') IS NOT NULL;
CREATE INDEX customers_unionid ON customers(json_extract(attrs, '$.unionid'))
	WHERE json_extract(attrs, '$.unionid') IS NOT NULL;

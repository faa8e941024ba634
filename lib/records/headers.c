/* headers.c: the names people give columns (姓名, 手机号码, E-mail Address,
 * nickname), and the field each one means. One table for every command that
 * reads records, so that a file from Excel, WPS, WeChat or another CRM reads
 * the same way in crm-add, crm-note --import and a selection on stdin.
 * crm-add(1) shows the table; keep the two in step. */
#include <string.h>

#include "records/records.h"

struct header_name {
	const char *field;
	const char *names; /* '|'-separated, compared by their keys (crm_header_key) */
};


const char *const crm_customer_columns[] = {
	"id", "name", "phone", "email", "wechat_id", "gender", "birthday", "city",
	"province", "source", "owner", "created_at", "updated_at",
};
const size_t crm_customer_ncolumns = sizeof crm_customer_columns / sizeof *crm_customer_columns;

/* What an event record holds; "id" is the event's own id (events.ref). */
const char *const crm_event_columns[] = {
	"id", "customer_id", "type", "ts", "amount", "product", "channel",
};
const size_t crm_event_ncolumns = sizeof crm_event_columns / sizeof *crm_event_columns;

/* Stored fields are known by their own names too (see field_of). */
static const struct header_name customer_names[] = {
	{"id", "客户编号|客户ID|编号|客户代码|会员编号|customer id|customer no|client id"},
	{"name", "姓名|客户姓名|名字|联系人|联系人姓名|客户名称|客户名|full name|customer name|"
		 "contact name|nickname"},
	{"phone", "手机|手机号|手机号码|电话|联系电话|移动电话|电话号码|联系方式|mobile|mobile phone|"
		  "mobile number|mobile phone number|cell|cellphone|tel|telephone|phone number|"
		  "contact number"},
	{"email", "邮箱|电子邮件|电子邮箱|邮件|邮箱地址|e-mail|e-mail address|email address|mail"},
	{"wechat_id", "微信|微信号|微信账号|微信ID|wechat|wechat id|weixin"},
	{"gender", "性别|sex"},
	{"birthday", "生日|出生日期|出生年月日|date of birth|birth date|birthdate|dob"},
	{"city", "城市|所在城市|市|city"},
	{"province", "省份|所在省份|省|所在省"},
	{"source", "来源|渠道|客户来源|来源渠道|lead source"},
	{"owner", "负责人|销售|归属人|所属销售|销售负责人|客户经理|跟进人|业务员|account owner|sales rep|salesperson"},
	{"created_at", "创建时间|添加时间|录入时间|created|created at"},
	{"updated_at", "更新时间|修改时间|updated|updated at"},
	{"tags", "tags|标签"},
	{"subscribe_time", "subscribe_time|关注时间"},
	/* WeChat's ids: custom attributes, known so that OpenID reads as openid
	 * and a list headed openid has a header */
	{"openid", "openid"},
	{"unionid", "unionid"},
};

static const struct header_name event_names[] = {
	{"customer_id", "客户编号|客户ID|会员编号|customer id|customer no|client id"},
	{"ref", "ref|订单号|订单编号|单号|流水号|交易号|order id|order no|order number|event id"},
	{"type", "类型|事件类型|行为|event|event type"},
	{"ts", "时间|日期|下单时间|交易时间|发生时间|date|time|timestamp"},
	{"amount", "金额|实付金额|订单金额|支付金额|交易金额|实付|total"},
	{"product", "商品|产品|商品名称|产品名称|item"},
	{"channel", "渠道|下单渠道|平台|来源"},
};

static const struct header_name note_names[] = {
	{"customer_id", "客户编号|客户ID|customer id"},
	{"body", "note|text|备注|内容|备注内容|跟进内容|跟进记录|沟通内容|记录|content|comment"},
	{"category", "分类|类别|备注类型|类型"},
	{"author", "作者|记录人|跟进人|创建人|录入人"},
	{"follow_up", "回访日期|回访|下次回访|下次跟进|跟进日期|follow up|next follow up"},
	{"created_at", "时间|创建时间|记录时间|跟进时间|created|created at"},
};

static const char *const note_fields[] = {
	"customer_id", "body", "category", "author", "follow_up", "created_at",
};

/* A space, underscore, dash or dot of either width inside a name. */
static size_t filler_at(const unsigned char *s, size_t len)
{
	if (len && (*s == ' ' || *s == '_' || *s == '-' || *s == '.' || *s == '\t'))
		return 1;
	if (len >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
		return 3;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBC && (s[2] == 0x8D || s[2] == 0x8E || s[2] == 0xBF))
		return 3; /* full-width - . _ */
	return 0;
}

/* Strips what spreadsheet templates hang on a name: a trailing * or :, and
 * a note in brackets, as in 手机号(必填) or 姓名（选填）. */
static size_t strip_marks(const char *s, size_t len)
{
	for (;;) {
		size_t was = len;
		if (len && (s[len - 1] == '*' || s[len - 1] == ':'))
			len--;
		else if (len >= 3 && !memcmp(s + len - 3, "：", 3))
			len -= 3;
		else if (len >= 3 && !memcmp(s + len - 3, "＊", 3))
			len -= 3;
		else if (len && s[len - 1] == ')') {
			const char *open = memchr(s, '(', len);
			if (open && open > s)
				len = (size_t)(open - s);
		} else if (len >= 3 && !memcmp(s + len - 3, "）", 3)) {
			for (size_t i = 1; i + 3 <= len - 3; i++)
				if (!memcmp(s + i, "（", 3)) {
					len = i;
					break;
				}
		}
		len = (size_t)(crm_trim(s, &len) - s) + len;
		if (len == was)
			return len;
	}
}

void crm_header_key(const char *name, char *out, size_t outsz)
{
	size_t len = strlen(name), n = 0;
	const char *s = crm_trim(name, &len);
	len = strip_marks(s, len);
	for (size_t i = 0; i < len && n + 1 < outsz;) {
		size_t skip = filler_at((const unsigned char *)s + i, len - i);
		if (skip) {
			i += skip;
			continue;
		}
		char c = s[i++];
		out[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
}

/* True when key is one of the '|'-separated names. */
static bool among(const char *key, const char *names)
{
	char one[128], k[128];
	for (const char *p = names; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len < sizeof one) {
			memcpy(one, p, len);
			one[len] = '\0';
			crm_header_key(one, k, sizeof k);
			if (!strcmp(k, key))
				return true;
		}
		p += len + (bar ? 1 : 0);
	}
	return false;
}

static const char *in_table(const struct header_name *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (among(key, t[i].names))
			return t[i].field;
	return NULL;
}

/* A field's own name, by its key: Phone, PHONE and wechat-id are fields. */
static const char *own_name(const char *const *fields, size_t n, const char *key)
{
	char k[128];
	for (size_t i = 0; i < n; i++) {
		crm_header_key(fields[i], k, sizeof k);
		if (!strcmp(k, key))
			return fields[i];
	}
	return NULL;
}

const char *crm_header_field(enum crm_names names, const char *name)
{
	char key[256];
	crm_header_key(name, key, sizeof key);
	if (!*key)
		return NULL;
	switch (names) {
	case CRM_NAMES_CUSTOMERS: {
		const char *f = own_name(crm_customer_columns, crm_customer_ncolumns, key);
		if (!f && !strcmp(name, "customer_id"))
			return "customer_id"; /* notes and events passed along name their customer so */
		return f ? f : in_table(customer_names, sizeof customer_names / sizeof *customer_names, key);
	}
	case CRM_NAMES_EVENTS: {
		const char *f = own_name(crm_event_columns, crm_event_ncolumns, key);
		return f ? f : in_table(event_names, sizeof event_names / sizeof *event_names, key);
	}
	case CRM_NAMES_NOTES: {
		const char *f = own_name(note_fields, sizeof note_fields / sizeof *note_fields, key);
		return f ? f : in_table(note_names, sizeof note_names / sizeof *note_names, key);
	}
	case CRM_NAMES_AS_IS:
		break;
	}
	return NULL;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n > m && !strcmp(s + n - m, end);
}

/* Dates: birthday, follow_up, *_date, *日期 (注册日期). Times: created_at,
 * updated_at, ts, subscribe_time, *时间 (关注时间, 下单时间). */
bool crm_header_is_date(enum crm_names names, const char *field, bool *timestamp)
{
	static const char *const stamps[] = {"created_at", "updated_at", "ts", "subscribe_time"};
	*timestamp = false;
	if (names == CRM_NAMES_AS_IS)
		return false;
	for (size_t i = 0; i < sizeof stamps / sizeof *stamps; i++)
		if (!strcmp(field, stamps[i]))
			return *timestamp = true;
	if (ends_with(field, "时间"))
		return *timestamp = true;
	return !strcmp(field, "birthday") || !strcmp(field, "follow_up") || ends_with(field, "_date") ||
	       ends_with(field, "日期");
}

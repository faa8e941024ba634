/* crm-gen: synthetic customers and events, the same for the same seed.
 *
 *   crm-gen customers N [--seed S] [--messy] [--sqlite]
 *   crm-gen events N --customers C [--seed S] [--sqlite]
 *   crm-gen notes N --customers C [--seed S] [--sqlite]
 *
 * CSV on stdout. --messy writes phones, dates and genders the many ways
 * people type them (and a few duplicate rows), as a real export would.
 * --sqlite writes the same data as rows of crm's tables (cid or eid first,
 * amounts in cents), for the sqlite3 shell's .import in benchmarks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_random(void)
{
	/* xorshift64*: fast, and the same sequence everywhere */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next_random() % n);
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
	"郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
};
static const char *const given[] = {
	"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
	"涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晨", "欣怡", "浩然", "宇轩", "婷", "雪", "子涵",
};
static const char *const cities[][2] = {
	{"上海", "上海"}, {"北京", "北京"}, {"广州", "广东"}, {"深圳", "广东"}, {"杭州", "浙江"},
	{"宁波", "浙江"}, {"南京", "江苏"}, {"苏州", "江苏"}, {"成都", "四川"}, {"武汉", "湖北"},
	{"西安", "陕西"}, {"重庆", "重庆"}, {"天津", "天津"}, {"长沙", "湖南"}, {"郑州", "河南"},
	{"青岛", "山东"}, {"厦门", "福建"}, {"昆明", "云南"},
};
static const char *const sources[] = {"微信", "小程序", "抖音", "门店", "淘宝", "转介绍"};
static const char *const owners[] = {"小王", "小李", "小陈", "小张"};
static const char *const levels[] = {"普通", "银卡", "金卡", "钻石"};
static const char *const products[] = {
	"保湿面霜", "洁面乳", "精华液", "防晒霜", "口红", "眼霜", "面膜", "香水", "护手霜", "卸妆油",
};
static const char *const channels[] = {"wechat", "miniapp", "store", "taobao", "douyin"};

/* Phone i: a unique mobile number (48271 is prime to 10^8, so i -> digits is one-to-one). */
static void phone_of(unsigned long i, char *out, size_t sz)
{
	static const char *const prefixes[] = {"135", "136", "137", "138", "139", "150", "158", "186", "188"};
	unsigned long digits = (i * 48271UL) % 100000000UL;
	snprintf(out, sz, "%s%08lu", prefixes[i % COUNT(prefixes)], digits);
}

static void messy_phone(const char *p, char *out, size_t sz)
{
	switch (pick(4)) {
	case 0: snprintf(out, sz, "+86 %.3s %.4s %.4s", p, p + 3, p + 7); break;
	case 1: snprintf(out, sz, "%.3s-%.4s-%.4s", p, p + 3, p + 7); break;
	case 2: snprintf(out, sz, "0086%s", p); break;
	default: snprintf(out, sz, "%s", p);
	}
}

static void messy_date(int y, int m, int d, char *out, size_t sz)
{
	switch (pick(4)) {
	case 0: snprintf(out, sz, "%d年%d月%d日", y, m, d); break;
	case 1: snprintf(out, sz, "%d/%d/%d", y, m, d); break;
	case 2: snprintf(out, sz, "%04d%02d%02d", y, m, d); break;
	default: snprintf(out, sz, "%04d-%02d-%02d", y, m, d);
	}
}

static void customer_row(unsigned long i, int messy, int sqlite)
{
	char id[32], name[64], phone[32], shown[40], email[64] = "", wechat[32] = "";
	char birthday[64], created[64];
	snprintf(id, sizeof id, "C%07lu", i);
	snprintf(name, sizeof name, "%s%s", surnames[pick(COUNT(surnames))], given[pick(COUNT(given))]);
	phone_of(i, phone, sizeof phone);
	if (pick(10) < 4)
		snprintf(email, sizeof email, messy && pick(3) == 0 ? "User%lu@Example.COM" : "user%lu@example.com", i);
	if (pick(10) < 6)
		snprintf(wechat, sizeof wechat, "wx_%lx", i * 2654435761UL % 0xFFFFFFFUL);
	int female = pick(2);
	const char *gender = female ? "女" : "男";
	if (messy)
		gender = (const char *[]){female ? "F" : "M", female ? "女" : "男", female ? "female" : "male"}[pick(3)];
	int by = 1960 + (int)pick(46), bm = 1 + (int)pick(12), bd = 1 + (int)pick(28);
	if (messy) {
		messy_phone(phone, shown, sizeof shown);
		messy_date(by, bm, bd, birthday, sizeof birthday);
	} else {
		snprintf(shown, sizeof shown, "%s", phone);
		snprintf(birthday, sizeof birthday, "%04d-%02d-%02d", by, bm, bd);
	}
	snprintf(created, sizeof created, "%04d-%02d-%02dT%02d:%02d:00", 2021 + (int)pick(3),
		 1 + (int)pick(12), 1 + (int)pick(28), 8 + (int)pick(12), (int)pick(60));
	unsigned c = pick(COUNT(cities));
	if (sqlite)
		printf("%lu,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,\n", i, id, name, shown, email,
		       wechat, gender, birthday, cities[c][0], cities[c][1], sources[pick(COUNT(sources))],
		       owners[pick(COUNT(owners))], created, created);
	else
		printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s%s%s\n", id, name, shown, email, wechat,
		       gender, birthday, cities[c][0], cities[c][1], sources[pick(COUNT(sources))],
		       owners[pick(COUNT(owners))], created, messy ? "," : "",
		       messy ? levels[pick(COUNT(levels))] : "");
}

static void customers(unsigned long n, int messy, int sqlite)
{
	if (!sqlite)
		printf("id,name,phone,email,wechat_id,gender,birthday,city,province,source,owner,created_at%s\n",
		       messy ? ",level" : "");
	for (unsigned long i = 1; i <= n; i++) {
		customer_row(i, messy, sqlite);
		if (messy && i % 50 == 0) /* the same person twice, as exports have it */
			customer_row(i, messy, sqlite), rng_state ^= i;
	}
}

/* Days since 2023-01-01 into a date: events span 2023 and 2024. */
static void day_to_date(int day, int *y, int *m, int *d)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	*y = 2023;
	for (;;) {
		int ylen = *y % 4 == 0 ? 366 : 365;
		if (day < ylen)
			break;
		day -= ylen;
		(*y)++;
	}
	for (*m = 0; *m < 12; (*m)++) {
		int l = len[*m] + (*m == 1 && *y % 4 == 0);
		if (day < l)
			break;
		day -= l;
	}
	(*m)++;
	*d = day + 1;
}

static void events(unsigned long n, unsigned long ncustomers, int sqlite)
{
	if (!sqlite)
		printf("customer_id,type,ts,amount,product,channel\n");
	for (unsigned long i = 0; i < n; i++) {
		/* in time order, as an orders export is: customers come in any order */
		int day = (int)(i * 731 / n), y, m, d;
		day_to_date(day, &y, &m, &d);
		unsigned long c = 1 + next_random() % ncustomers;
		unsigned r = pick(100);
		const char *type = r < 40 ? "purchase" : r < 85 ? "visit" : r < 88 ? "refund" : "message";
		long cents = r < 40 ? 990 + (long)pick(299000) : r >= 85 && r < 88 ? 990 + (long)pick(20000) : -1;
		const char *product = cents >= 0 ? products[pick(COUNT(products))] : "";
		char ts[64];
		snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, 8 + (int)pick(14),
			 (int)pick(60), (int)pick(60));
		const char *channel = channels[pick(COUNT(channels))];
		if (sqlite) {
			printf("%lu,%lu,%s,%s,", i + 1, c, type, ts);
			if (cents >= 0)
				printf("%ld", cents);
			printf(",%s,%s,,\n", product, channel);
		} else {
			printf("C%07lu,%s,%s,", c, type, ts);
			if (cents >= 0)
				printf("%ld.%02ld", cents / 100, cents % 100);
			printf(",%s,%s\n", product, channel);
		}
	}
}

static const char *const phrases[] = {
	"客户询问%s的用法", "投诉物流太慢，要求补偿", "要求退款", "已发送双十一优惠券", "下周再联系",
	"很喜欢%s", "生日祝福已发送", "对价格比较敏感", "电话未接通", "想要发票", "微信已加好友",
	"老客户介绍来的", "想了解%s有没有小样", "快递破损，已补发", "repeat buyer; prefers %s",
	"问能不能货到付款", "会员积分兑换了%s", "抱怨客服回复慢", "订单号 %06u 已处理",
	"sent the autumn catalogue", "想给朋友带两瓶%s", "说下个月搬家，新地址待定",
};
static const char *const categories[] = {"沟通", "回访", "投诉", "需求", "其他"};

/* Two to four phrases, joined by "；". */
static void note_body(char *out, size_t sz)
{
	size_t len = 0;
	int k = 2 + (int)pick(3);
	for (int i = 0; i < k && len + 80 < sz; i++) {
		const char *p = phrases[pick(COUNT(phrases))];
		char part[160];
		if (strstr(p, "%06u"))
			snprintf(part, sizeof part, p, (unsigned)pick(1000000));
		else if (strstr(p, "%s"))
			snprintf(part, sizeof part, p, products[pick(COUNT(products))]);
		else
			snprintf(part, sizeof part, "%s", p);
		len += (size_t)snprintf(out + len, sz - len, "%s%s", i ? "；" : "", part);
	}
}

static void notes(unsigned long n, unsigned long ncustomers, int sqlite)
{
	if (!sqlite)
		printf("customer_id,body,category,author,follow_up,created_at\n");
	for (unsigned long i = 0; i < n; i++) {
		int day = (int)(i * 731 / n), y, m, d, fy, fm, fd;
		day_to_date(day, &y, &m, &d);
		day_to_date(day + 3 + (int)pick(14), &fy, &fm, &fd);
		unsigned long c = 1 + next_random() % ncustomers;
		char body[512], ts[32], follow[16] = "";
		note_body(body, sizeof body);
		snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, 8 + (int)pick(14),
			 (int)pick(60), (int)pick(60));
		if (pick(5) == 0)
			snprintf(follow, sizeof follow, "%04d-%02d-%02d", fy, fm, fd);
		const char *category = categories[pick(COUNT(categories))];
		const char *author = owners[pick(COUNT(owners))];
		if (sqlite)
			printf("%lu,%lu,%s,%s,%s,%s,%s,%s,\n", i + 1, c, body, category, author, ts, ts, follow);
		else
			printf("C%07lu,%s,%s,%s,%s,%s\n", c, body, category, author, follow, ts);
	}
}

static void usage(void)
{
	fputs("usage: crm-gen customers N [--seed S] [--messy] [--sqlite]\n"
	      "       crm-gen events N --customers C [--seed S] [--sqlite]\n"
	      "       crm-gen notes N --customers C [--seed S] [--sqlite]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	unsigned long n = strtoul(argv[2], NULL, 10), ncustomers = 0;
	int messy = 0, sqlite = 0;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--messy") == 0)
			messy = 1;
		else if (strcmp(argv[i], "--sqlite") == 0)
			sqlite = 1;
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng_state ^= strtoull(argv[++i], NULL, 10) * 0x9E3779B97F4A7C15ULL;
		else if (strcmp(argv[i], "--customers") == 0 && i + 1 < argc)
			ncustomers = strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	if (strcmp(argv[1], "customers") == 0)
		customers(n, messy, sqlite);
	else if (strcmp(argv[1], "events") == 0 && ncustomers > 0)
		events(n, ncustomers, sqlite);
	else if (strcmp(argv[1], "notes") == 0 && ncustomers > 0)
		notes(n, ncustomers, sqlite);
	else
		usage();
	return fflush(stdout) == 0 ? 0 : 1;
}

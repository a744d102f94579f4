/* yaml_json.c: libyaml events to cJSON trees, typed as go-yaml v2 / sigs.k8s.io/yaml do.
 *
 * One recursive descent over the event stream: parse_node() is entered with the node's first
 * event current and returns the finished value. Anchored nodes are remembered by pointer
 * (they live in the tree being built) and copied for each alias, counting every copy. */
#include "yaml_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YAML_BINARY_TAG "tag:yaml.org,2002:binary"
#define YAML_MERGE_TAG  "tag:yaml.org,2002:merge"
#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

/* ---- string -> pointer hash map (anchors, and keys seen in one mapping) ---- */

struct smap_ent {
	const char *key; /* NULL = free slot */
	cJSON *val;
};

struct smap {
	struct smap_ent *ent; /* cap slots, cap a power of two or 0 */
	size_t cap;
	size_t n;
};

static size_t str_hash(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static struct smap_ent *smap_slot(const struct smap *m, const char *key)
{
	size_t mask = m->cap - 1;
	for (size_t i = str_hash(key) & mask;; i = (i + 1) & mask) {
		if (!m->ent[i].key || strcmp(m->ent[i].key, key) == 0)
			return &m->ent[i];
	}
}

static struct smap_ent *smap_find(const struct smap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct smap_ent *e = smap_slot(m, key);
	return e->key ? e : NULL;
}

static enum hr_code smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	if (cap > SIZE_MAX / 2 / sizeof(*m->ent))
		return HR_ENOMEM;
	struct smap old = *m;
	m->ent = cJSON_malloc(cap * sizeof(*m->ent));
	if (!m->ent) {
		*m = old;
		return HR_ENOMEM;
	}
	memset(m->ent, 0, cap * sizeof(*m->ent));
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.ent[i].key)
			*smap_slot(m, old.ent[i].key) = old.ent[i];
	}
	cJSON_free(old.ent);
	return HR_OK;
}

/* Adds key (not present yet; borrowed, must outlive the map) with val. */
static enum hr_code smap_add(struct smap *m, const char *key, cJSON *val)
{
	if ((m->n + 1) * 4 > m->cap * 3 && smap_grow(m) != HR_OK)
		return HR_ENOMEM;
	struct smap_ent *e = smap_slot(m, key);
	e->key = key;
	e->val = val;
	m->n++;
	return HR_OK;
}

/* Frees the table, and the keys too when the map owns them. */
static void smap_fini(struct smap *m, bool free_keys)
{
	for (size_t i = 0; free_keys && i < m->cap; i++)
		cJSON_free((void *)m->ent[i].key); /* owned copies made by anchor_begin */
	cJSON_free(m->ent);
	memset(m, 0, sizeof(*m));
}

/* ---- parser state and errors ---- */

struct yp {
	yaml_parser_t parser;
	yaml_event_t ev; /* the current event, valid while have_ev */
	bool have_ev;
	struct xt_yaml_limits lim;
	struct smap anchors; /* owned name copy -> node in the tree; NULL while being built */
	size_t nodes;        /* values produced so far */
	size_t alias_nodes;  /* of which copies made for aliases */
	struct hr_path path; /* where the current event sits, for err->where */
	struct hr_err *err;
};

/* Records "line L column C: <fmt>" at the current event's start. */
static enum hr_code yp_fail(struct yp *yp, enum hr_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum hr_code yp_fail(struct yp *yp, enum hr_code code, const char *fmt, ...)
{
	char msg[HR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* truncation is fine: hr_err_at marks it */
	va_end(ap);
	return hr_err_at(yp->err, code, &yp->path, "line %zu column %zu: %s",
	                 yp->ev.start_mark.line + 1, yp->ev.start_mark.column + 1, msg);
}

static enum hr_code yp_nomem(struct yp *yp)
{
	return hr_err_at(yp->err, HR_ENOMEM, &yp->path, "out of memory converting YAML");
}

/* Turns libyaml's error state into err. */
static enum hr_code parser_error(struct yp *yp)
{
	const yaml_parser_t *p = &yp->parser;
	const char *problem = p->problem ? p->problem : "unknown error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return yp_nomem(yp);
	case YAML_READER_ERROR:
		return hr_err_at(yp->err, HR_EINVAL, &yp->path, "byte offset %zu: %s",
		                 p->problem_offset, problem);
	default:
		break;
	}
	if (p->context) {
		return hr_err_at(yp->err, HR_EINVAL, &yp->path,
		                 "line %zu column %zu: %s (%s at line %zu column %zu)",
		                 p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
		                 p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	}
	return hr_err_at(yp->err, HR_EINVAL, &yp->path, "line %zu column %zu: %s",
	                 p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
}

/* Makes the next event current (dropping the previous one). */
static enum hr_code yp_next(struct yp *yp)
{
	if (yp->have_ev)
		yaml_event_delete(&yp->ev);
	yp->have_ev = yaml_parser_parse(&yp->parser, &yp->ev) != 0;
	return yp->have_ev ? HR_OK : parser_error(yp);
}

/* Counts one value against the limits (alias: it is a copy made for an alias). */
static enum hr_code count_node(struct yp *yp, bool alias)
{
	if (++yp->nodes > yp->lim.max_nodes)
		return yp_fail(yp, HR_ERANGE, "document has more than %zu values",
		               yp->lim.max_nodes);
	if (alias && ++yp->alias_nodes > yp->lim.max_alias_nodes)
		return yp_fail(yp, HR_ERANGE, "aliases expand to more than %zu values",
		               yp->lim.max_alias_nodes);
	return HR_OK;
}

static enum hr_code check_depth(struct yp *yp, size_t depth)
{
	if (depth > yp->lim.max_depth)
		return yp_fail(yp, HR_ERANGE, "nesting deeper than %zu levels", yp->lim.max_depth);
	return HR_OK;
}

/* The current scalar's text, quoted for a message. */
static void quote_scalar(const struct yp *yp, char *dst, size_t dst_size)
{
	struct hr_str s = {(const char *)yp->ev.data.scalar.value, yp->ev.data.scalar.length};
	hr_err_quote(dst, dst_size, s);
}

/* ---- scalar typing (go-yaml v2 resolve.go) ---- */

enum sk { SK_NULL, SK_BOOL, SK_INT, SK_UINT, SK_FLOAT, SK_NONFINITE, SK_STR };

struct scalar {
	enum sk kind;
	bool b;
	int64_t i;
	uint64_t u;
	double d;
};

/* Plain words go-yaml resolves by table. */
static const struct {
	const char *word;
	enum sk kind;
	bool b;
} words[] = {
    {"y", SK_BOOL, true},           {"Y", SK_BOOL, true},           {"yes", SK_BOOL, true},
    {"Yes", SK_BOOL, true},         {"YES", SK_BOOL, true},         {"true", SK_BOOL, true},
    {"True", SK_BOOL, true},        {"TRUE", SK_BOOL, true},        {"on", SK_BOOL, true},
    {"On", SK_BOOL, true},          {"ON", SK_BOOL, true},          {"n", SK_BOOL, false},
    {"N", SK_BOOL, false},          {"no", SK_BOOL, false},         {"No", SK_BOOL, false},
    {"NO", SK_BOOL, false},         {"false", SK_BOOL, false},      {"False", SK_BOOL, false},
    {"FALSE", SK_BOOL, false},      {"off", SK_BOOL, false},        {"Off", SK_BOOL, false},
    {"OFF", SK_BOOL, false},        {"~", SK_NULL, false},          {"null", SK_NULL, false},
    {"Null", SK_NULL, false},       {"NULL", SK_NULL, false},       {".nan", SK_NONFINITE, false},
    {".NaN", SK_NONFINITE, false},  {".NAN", SK_NONFINITE, false},  {".inf", SK_NONFINITE, false},
    {".Inf", SK_NONFINITE, false},  {".INF", SK_NONFINITE, false},  {"+.inf", SK_NONFINITE, false},
    {"+.Inf", SK_NONFINITE, false}, {"+.INF", SK_NONFINITE, false}, {"-.inf", SK_NONFINITE, false},
    {"-.Inf", SK_NONFINITE, false}, {"-.INF", SK_NONFINITE, false},
};

static bool lookup_word(const char *s, size_t n, struct scalar *out)
{
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (strlen(words[k].word) == n && memcmp(words[k].word, s, n) == 0) {
			out->kind = words[k].kind;
			out->b = words[k].b;
			return true;
		}
	}
	return false;
}

static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a') + 10;
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A') + 10;
	return 99;
}

/* Go's strconv.ParseUint(s, 0, 64): 0b/0o/0x prefixes, a lone leading 0 means octal.
 * False on a syntax error or overflow. */
static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (n == 0)
		return false;
	if (s[0] == '0') {
		char c1 = n >= 3 ? (char)(s[1] | 0x20) : 0;
		base = c1 == 'b' ? 2 : c1 == 'x' ? 16 : 8;
		size_t skip = (c1 == 'b' || c1 == 'o' || c1 == 'x') ? 2 : 1;
		s += skip;
		n -= skip;
	}
	for (size_t k = 0; k < n; k++) {
		unsigned d = digit_value(s[k]);
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t u;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		s++;
		n--;
	}
	if (!go_parse_uint(s, n, &u))
		return false;
	if (u > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return false;
	*out = !neg ? (int64_t)u : u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	return true;
}

static size_t skip_digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i - start;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ (go-yaml's yamlStyleFloat). */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		if (!skip_digits(s, n, &i))
			return false;
	} else {
		if (!skip_digits(s, n, &i))
			return false;
		if (i < n && s[i] == '.') {
			i++;
			skip_digits(s, n, &i);
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!skip_digits(s, n, &i))
			return false;
	}
	return i == n;
}

/* A float from text that matched yaml_style_float and is NUL-terminated; false when it
 * does not fit a double (Go's ParseFloat then fails and the scalar stays a string). */
static bool parse_float(const char *s, struct scalar *out)
{
	double d = strtod(s, NULL);
	if (isinf(d))
		return false;
	out->kind = SK_FLOAT;
	out->d = d;
	return true;
}

/* Numbers for a scalar starting with a sign or a digit; plain has no '_' and ends in NUL. */
static void resolve_number(const char *plain, size_t n, struct scalar *out)
{
	if (go_parse_int(plain, n, &out->i)) {
		out->kind = SK_INT;
		return;
	}
	if (go_parse_uint(plain, n, &out->u)) {
		out->kind = SK_UINT;
		return;
	}
	if (yaml_style_float(plain, n) && parse_float(plain, out))
		return;
	out->kind = SK_STR;
}

/* Types a plain scalar s[0..n) (NUL at s[n], as libyaml guarantees). Allocates only to
 * drop '_' from a number candidate. */
static enum hr_code resolve_plain(struct yp *yp, const char *s, size_t n, struct scalar *out)
{
	char c = n ? s[0] : '\0';

	out->kind = SK_STR;
	if (n == 0) {
		out->kind = SK_NULL;
		return HR_OK;
	}
	if (lookup_word(s, n, out))
		return HR_OK;
	if (c == '.') {
		if (yaml_style_float(s, n) && parse_float(s, out))
			return HR_OK;
		out->kind = SK_STR;
		return HR_OK;
	}
	if (!(c == '+' || c == '-' || (c >= '0' && c <= '9')))
		return HR_OK;
	if (!memchr(s, '_', n)) {
		resolve_number(s, n, out);
		return HR_OK;
	}
	char *plain = cJSON_malloc(n + 1);
	if (!plain)
		return yp_nomem(yp);
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		if (s[k] != '_')
			plain[m++] = s[k];
	}
	plain[m] = '\0';
	resolve_number(plain, m, out);
	cJSON_free(plain);
	return HR_OK;
}

/* Checks a scalar typed by resolve_plain against its explicit !!null/!!bool/!!int/!!float
 * tag (go-yaml's resolve: !!float also takes an int). */
static enum hr_code check_tag(struct yp *yp, const char *tag, struct scalar *out)
{
	bool ok;
	if (strcmp(tag, YAML_NULL_TAG) == 0)
		ok = out->kind == SK_NULL;
	else if (strcmp(tag, YAML_BOOL_TAG) == 0)
		ok = out->kind == SK_BOOL;
	else if (strcmp(tag, YAML_INT_TAG) == 0)
		ok = out->kind == SK_INT || out->kind == SK_UINT;
	else if (out->kind == SK_INT) {
		out->kind = SK_FLOAT;
		out->d = (double)out->i;
		ok = true;
	} else
		ok = out->kind == SK_FLOAT || out->kind == SK_NONFINITE;
	if (ok)
		return HR_OK;
	char q[64];
	quote_scalar(yp, q, sizeof(q));
	return yp_fail(yp, HR_EINVAL, "cannot decode \"%s\" as !!%s", q,
	               tag + strlen(YAML_TAG_PREFIX));
}

/* Types the current scalar event from its text, style and tag. */
static enum hr_code resolve_scalar(struct yp *yp, struct scalar *out)
{
	const yaml_event_t *ev = &yp->ev;
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	enum hr_code rc;

	out->kind = SK_STR;
	if (!tag) {
		/* untagged: plain_implicit is set exactly for plain style */
		rc = ev->data.scalar.plain_implicit ? resolve_plain(yp, s, n, out) : HR_OK;
	} else if (strcmp(tag, YAML_NULL_TAG) == 0 || strcmp(tag, YAML_BOOL_TAG) == 0 ||
	           strcmp(tag, YAML_INT_TAG) == 0 || strcmp(tag, YAML_FLOAT_TAG) == 0) {
		rc = resolve_plain(yp, s, n, out);
		if (rc == HR_OK)
			rc = check_tag(yp, tag, out);
	} else if (strcmp(tag, YAML_BINARY_TAG) == 0) {
		rc = yp_fail(yp, HR_EUNSUPPORTED, "!!binary scalars are not supported");
	} else {
		rc = HR_OK; /* !!str, !!timestamp, local and unknown tags: the text */
	}
	if (rc == HR_OK && out->kind == SK_NONFINITE) {
		char q[64];
		quote_scalar(yp, q, sizeof(q));
		rc = yp_fail(yp, HR_EINVAL, "\"%s\" is not a valid JSON number", q);
	}
	if (rc == HR_OK && out->kind == SK_STR && memchr(s, '\0', n))
		rc = yp_fail(yp, HR_EUNSUPPORTED, "string contains a NUL byte");
	return rc;
}

/* ---- anchors ---- */

/* Starts (re)defining anchor name (may be NULL: no anchor); *key gets the map's copy. */
static enum hr_code anchor_begin(struct yp *yp, const yaml_char_t *name, const char **key)
{
	*key = NULL;
	if (!name)
		return HR_OK;
	struct smap_ent *e = smap_find(&yp->anchors, (const char *)name);
	if (e) {
		e->val = NULL; /* being built: an alias to it now is a cycle */
		*key = e->key;
		return HR_OK;
	}
	size_t n = strlen((const char *)name);
	char *copy = cJSON_malloc(n + 1);
	if (!copy)
		return yp_nomem(yp);
	memcpy(copy, name, n + 1);
	if (smap_add(&yp->anchors, copy, NULL) != HR_OK) {
		cJSON_free(copy);
		return yp_nomem(yp);
	}
	*key = copy;
	return HR_OK;
}

/* Finishes the definition started by anchor_begin: aliases now copy node. */
static void anchor_end(struct yp *yp, const char *key, cJSON *node)
{
	if (key)
		smap_find(&yp->anchors, key)->val = node;
}

/* ---- values ---- */

static enum hr_code parse_node(struct yp *yp, size_t depth, cJSON **out);

static cJSON *scalar_to_json(const struct scalar *sc, const char *text)
{
	switch (sc->kind) {
	case SK_NULL:
		return cJSON_CreateNull();
	case SK_BOOL:
		return cJSON_CreateBool(sc->b);
	case SK_INT:
		return cJSON_CreateNumber((double)sc->i);
	case SK_UINT:
		return cJSON_CreateNumber((double)sc->u);
	case SK_FLOAT:
		return cJSON_CreateNumber(sc->d);
	case SK_NONFINITE:
	case SK_STR:
		break;
	}
	return cJSON_CreateString(text);
}

static enum hr_code parse_scalar(struct yp *yp, cJSON **out)
{
	const char *key;
	struct scalar sc;
	enum hr_code rc = count_node(yp, false);

	if (rc == HR_OK)
		rc = resolve_scalar(yp, &sc);
	if (rc == HR_OK)
		rc = anchor_begin(yp, yp->ev.data.scalar.anchor, &key);
	if (rc != HR_OK)
		return rc;
	*out = scalar_to_json(&sc, (const char *)yp->ev.data.scalar.value);
	if (!*out)
		return yp_nomem(yp);
	anchor_end(yp, key, *out);
	return HR_OK;
}

/* A copy of src at depth (the containers around it), counted as alias values. */
static enum hr_code copy_value(struct yp *yp, const cJSON *src, size_t depth, cJSON **out)
{
	bool container = cJSON_IsArray(src) || cJSON_IsObject(src);
	enum hr_code rc = count_node(yp, true);

	if (rc == HR_OK && container)
		rc = check_depth(yp, depth + 1);
	if (rc != HR_OK)
		return rc;
	if (cJSON_IsString(src))
		*out = cJSON_CreateString(src->valuestring);
	else if (cJSON_IsNumber(src))
		*out = cJSON_CreateNumber(src->valuedouble);
	else if (cJSON_IsBool(src))
		*out = cJSON_CreateBool(cJSON_IsTrue(src));
	else if (cJSON_IsArray(src))
		*out = cJSON_CreateArray();
	else if (cJSON_IsObject(src))
		*out = cJSON_CreateObject();
	else
		*out = cJSON_CreateNull();
	if (!*out)
		return yp_nomem(yp);
	for (const cJSON *c = container ? src->child : NULL; c; c = c->next) {
		cJSON *copy;
		rc = copy_value(yp, c, depth + 1, &copy);
		if (rc != HR_OK)
			goto out_free;
		bool added = cJSON_IsObject(src) ? cJSON_AddItemToObject(*out, c->string, copy)
		                                 : cJSON_AddItemToArray(*out, copy);
		if (!added) {
			cJSON_Delete(copy);
			rc = yp_nomem(yp);
			goto out_free;
		}
	}
	return HR_OK;
out_free:
	cJSON_Delete(*out);
	*out = NULL;
	return rc;
}

static enum hr_code parse_alias(struct yp *yp, size_t depth, cJSON **out)
{
	const char *name = (const char *)yp->ev.data.alias.anchor;
	const struct smap_ent *e = smap_find(&yp->anchors, name);
	char q[64];

	hr_err_quote(q, sizeof(q), hr_str_c(name));
	if (!e)
		return yp_fail(yp, HR_EINVAL, "unknown anchor \"%s\"", q);
	if (!e->val)
		return yp_fail(yp, HR_EINVAL, "alias \"%s\" refers to a node that contains it", q);
	return copy_value(yp, e->val, depth, out);
}

static enum hr_code parse_sequence(struct yp *yp, size_t depth, cJSON **out)
{
	const char *anchor;
	enum hr_code rc = check_depth(yp, depth);

	if (rc == HR_OK)
		rc = count_node(yp, false);
	if (rc == HR_OK)
		rc = anchor_begin(yp, yp->ev.data.sequence_start.anchor, &anchor);
	if (rc != HR_OK)
		return rc;
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return yp_nomem(yp);
	for (size_t index = 0;; index++) {
		cJSON *item;
		if ((rc = yp_next(yp)) != HR_OK)
			goto out_free_arr;
		if (yp->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		size_t saved = hr_path_push_index(&yp->path, index);
		rc = parse_node(yp, depth, &item);
		hr_path_pop(&yp->path, saved);
		if (rc != HR_OK)
			goto out_free_arr;
		cJSON_AddItemToArray(arr, item); /* cannot fail: both non-NULL */
	}
	anchor_end(yp, anchor, arr);
	*out = arr;
	return HR_OK;
out_free_arr:
	cJSON_Delete(arr);
	return rc;
}

/* Checks that the current event may be a mapping key (a plain scalar, no merge). */
static enum hr_code check_key_event(struct yp *yp)
{
	const yaml_event_t *ev = &yp->ev;
	if (ev->type == YAML_ALIAS_EVENT)
		return yp_fail(yp, HR_EUNSUPPORTED, "an alias as a mapping key is not supported");
	if (ev->type != YAML_SCALAR_EVENT)
		return yp_fail(yp, HR_EINVAL, "a mapping key must be a scalar");
	if (ev->data.scalar.anchor)
		return yp_fail(yp, HR_EUNSUPPORTED, "an anchor on a mapping key is not supported");
	const char *tag = (const char *)ev->data.scalar.tag;
	bool merge_tag = tag && strcmp(tag, YAML_MERGE_TAG) == 0;
	if (strcmp((const char *)ev->data.scalar.value, "<<") == 0 &&
	    (ev->data.scalar.plain_implicit || merge_tag))
		return yp_fail(yp, HR_EUNSUPPORTED, "merge keys (<<) are not supported");
	return HR_OK;
}

/* The current key scalar as JSON key text (sigs.k8s.io/yaml's conversion), in buf when it
 * is a number or bool, else pointing into the event. */
static enum hr_code key_text(struct yp *yp, char *buf, size_t buf_size, const char **out)
{
	struct scalar sc;
	enum hr_code rc = check_key_event(yp);

	if (rc == HR_OK)
		rc = resolve_scalar(yp, &sc);
	if (rc != HR_OK)
		return rc;
	switch (sc.kind) {
	case SK_STR:
		*out = (const char *)yp->ev.data.scalar.value;
		return HR_OK;
	case SK_INT:
		snprintf(buf, buf_size, "%" PRId64, sc.i); /* fits: buf_size >= 21 */
		*out = buf;
		return HR_OK;
	case SK_BOOL:
		*out = sc.b ? "true" : "false";
		return HR_OK;
	case SK_FLOAT:
	case SK_NONFINITE:
		return yp_fail(yp, HR_EUNSUPPORTED,
		               "a floating-point mapping key is not supported");
	case SK_NULL:
	case SK_UINT:
		break;
	}
	return yp_fail(yp, HR_EINVAL, "a mapping key must be a string, integer or boolean");
}

/* One key: value pair; the current event is the key. The key text dies with its event, so a
 * placeholder is added under a copy of it first and replaced by the value once parsed. */
static enum hr_code parse_pair(struct yp *yp, size_t depth, cJSON *obj, struct smap *keys)
{
	char num[32];
	const char *text = NULL;
	cJSON *val = NULL;
	enum hr_code rc = key_text(yp, num, sizeof(num), &text);

	if (rc != HR_OK)
		return rc;
	if (smap_find(keys, text)) {
		char q[64];
		hr_err_quote(q, sizeof(q), hr_str_c(text));
		return yp_fail(yp, HR_EINVAL, "duplicate key \"%s\"", q);
	}
	cJSON *slot = cJSON_CreateNull();
	if (!slot || !cJSON_AddItemToObject(obj, text, slot)) {
		cJSON_Delete(slot);
		return yp_nomem(yp);
	}
	if (smap_add(keys, slot->string, NULL) != HR_OK)
		return yp_nomem(yp);
	size_t saved = hr_path_push_key(&yp->path, slot->string);
	rc = yp_next(yp);
	if (rc == HR_OK)
		rc = parse_node(yp, depth, &val);
	hr_path_pop(&yp->path, saved);
	if (rc != HR_OK)
		return rc;
	val->string = slot->string; /* the key moves to the value (keys still points at it) */
	slot->string = NULL;
	cJSON_ReplaceItemViaPointer(obj, slot, val); /* frees the placeholder; cannot fail */
	return HR_OK;
}

static enum hr_code parse_mapping(struct yp *yp, size_t depth, cJSON **out)
{
	const char *anchor;
	struct smap keys = {0};
	enum hr_code rc = check_depth(yp, depth);

	if (rc == HR_OK)
		rc = count_node(yp, false);
	if (rc == HR_OK)
		rc = anchor_begin(yp, yp->ev.data.mapping_start.anchor, &anchor);
	if (rc != HR_OK)
		return rc;
	cJSON *obj = cJSON_CreateObject();
	if (!obj)
		return yp_nomem(yp);
	for (;;) {
		if ((rc = yp_next(yp)) != HR_OK)
			goto out_free_obj;
		if (yp->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((rc = parse_pair(yp, depth, obj, &keys)) != HR_OK)
			goto out_free_obj;
	}
	smap_fini(&keys, false);
	anchor_end(yp, anchor, obj);
	*out = obj;
	return HR_OK;
out_free_obj:
	smap_fini(&keys, false);
	cJSON_Delete(obj);
	return rc;
}

/* The value whose first event is current; depth counts the containers around it. */
static enum hr_code parse_node(struct yp *yp, size_t depth, cJSON **out)
{
	*out = NULL;
	switch (yp->ev.type) {
	case YAML_SCALAR_EVENT:
		return parse_scalar(yp, out);
	case YAML_ALIAS_EVENT:
		return parse_alias(yp, depth, out);
	case YAML_SEQUENCE_START_EVENT:
		return parse_sequence(yp, depth + 1, out);
	case YAML_MAPPING_START_EVENT:
		return parse_mapping(yp, depth + 1, out);
	default:
		break;
	}
	return yp_fail(yp, HR_EINVAL, "unexpected YAML event %d", (int)yp->ev.type);
}

/* ---- documents ---- */

/* One document; the current event is its DOCUMENT-START. Anchors end with the document. */
static enum hr_code parse_document(struct yp *yp, cJSON **out)
{
	enum hr_code rc = yp_next(yp);

	*out = NULL;
	if (rc == HR_OK)
		rc = parse_node(yp, 0, out);
	if (rc == HR_OK)
		rc = yp_next(yp); /* DOCUMENT-END */
	smap_fini(&yp->anchors, true);
	if (rc != HR_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* Collects the non-empty documents: the first one (all false) or all of them in *out, an
 * array (all true). */
static enum hr_code parse_stream(struct yp *yp, bool all, cJSON **out)
{
	cJSON *docs = NULL;
	enum hr_code rc = yp_next(yp); /* STREAM-START */

	*out = NULL;
	if (rc == HR_OK && all && !(docs = cJSON_CreateArray()))
		rc = yp_nomem(yp);
	while (rc == HR_OK && (rc = yp_next(yp)) == HR_OK &&
	       yp->ev.type == YAML_DOCUMENT_START_EVENT) {
		cJSON *root;
		if ((rc = parse_document(yp, &root)) != HR_OK)
			break;
		if (cJSON_IsNull(root)) {
			cJSON_Delete(root);
		} else if (!all) {
			*out = root;
			return HR_OK;
		} else {
			cJSON_AddItemToArray(docs, root);
		}
	}
	if (rc == HR_OK && (!docs || !docs->child))
		/* curl -d strips newlines: a file that starts with a comment becomes one comment */
		rc = hr_err_at(yp->err, HR_EINVAL, &yp->path,
		               "empty document (only comments or blank lines; files sent with curl "
		               "-d lose their newlines: use --data-binary @FILE)");
	if (rc != HR_OK) {
		cJSON_Delete(docs);
		return rc;
	}
	*out = docs;
	return HR_OK;
}

static cJSON *convert(const char *text, size_t len, const struct xt_yaml_limits *limits,
                      struct hr_err *err, bool all)
{
	struct yp yp;
	cJSON *out = NULL;

	memset(&yp, 0, sizeof(yp));
	yp.lim = limits ? *limits : XT_YAML_LIMITS_DEFAULT;
	yp.err = err;
	hr_path_init(&yp.path);
	if (!yaml_parser_initialize(&yp.parser)) {
		hr_err_set(err, HR_ENOMEM, NULL, "out of memory starting the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&yp.parser, (const unsigned char *)(text ? text : ""),
	                             text ? len : 0);
	if (parse_stream(&yp, all, &out) != HR_OK)
		out = NULL;
	if (yp.have_ev)
		yaml_event_delete(&yp.ev);
	smap_fini(&yp.anchors, true);
	yaml_parser_delete(&yp.parser);
	return out;
}

cJSON *xt_yaml_to_json(const char *text, size_t len, const struct xt_yaml_limits *limits,
                       struct hr_err *err)
{
	return convert(text, len, limits, err, false);
}

cJSON *xt_yaml_to_json_all(const char *text, size_t len, const struct xt_yaml_limits *limits,
                           struct hr_err *err)
{
	return convert(text, len, limits, err, true);
}

bool xt_looks_like_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		return c == '{' || c == '[';
	}
	return false;
}

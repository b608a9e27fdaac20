/* api_text.c -- read the model and data files once. */
#include "api_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kcache.h"

static hessc_status read_one(const hessc_text *in, diag_sink *diags, api_text *out)
{
	out->name = in->name ? in->name : "<string>";
	if (in->text) {
		out->text = in->text;
		out->len = in->len;
		return HESSC_OK;
	}
	unsigned char *bytes = NULL;
	size_t len = 0;
	int found = 0;
	errno = 0;
	hessc_status st = kcache_read(in->name, &bytes, &len, &found);
	if (st == HESSC_ERR_NOMEM)
		return st;
	if (st != HESSC_OK || !found) {
		source_loc loc = { out->name, 0, 0 };
		int err = st == HESSC_OK ? ENOENT : errno ? errno : EIO;
		diag_report(diags, DIAG_ERROR, loc, NULL, 0, "cannot open: %s", strerror(err));
		return HESSC_ERR_USAGE;
	}
	out->owned = (char *)bytes;
	out->text = out->owned;
	out->len = len;
	return HESSC_OK;
}

hessc_status api_texts_read(const hessc_text *model, const hessc_text *data, size_t n_data,
                            diag_sink *diags, api_texts *out)
{
	memset(out, 0, sizeof *out);
	out->data = calloc(n_data ? n_data : 1, sizeof *out->data);
	if (!out->data)
		return HESSC_ERR_NOMEM;
	out->n_data = n_data;
	hessc_status st = read_one(model, diags, &out->model);
	for (size_t i = 0; i < n_data && st == HESSC_OK; i++)
		st = read_one(&data[i], diags, &out->data[i]);
	if (st != HESSC_OK)
		api_texts_free(out);
	return st;
}

void api_texts_free(api_texts *t)
{
	free(t->model.owned);
	for (size_t i = 0; t->data && i < t->n_data; i++)
		free(t->data[i].owned);
	free(t->data);
	memset(t, 0, sizeof *t);
}

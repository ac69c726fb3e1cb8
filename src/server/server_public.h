/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Handlers of the public report page, intelligence items and diversion-text
 * campaigns (docs/public-reports.md, docs/messaging.md). */
#ifndef LINESIGHT_SERVER_PUBLIC_H
#define LINESIGHT_SERVER_PUBLIC_H

#include "server_internal.h"

/* server_public.c: the page's plain form POST (works without JavaScript). */
void ls__public_report_form(ls__request *rq, ls__response *rs);
void ls__public_report_page(ls__request *rq, ls__response *rs);

/* server_api_intel.c */
void ls__api_intel_list(ls__request *rq, ls__response *rs);
void ls__api_intel_get(ls__request *rq, ls__response *rs);
void ls__api_intel_grade(ls__request *rq, ls__response *rs);
void ls__api_intel_link(ls__request *rq, ls__response *rs);
void ls__api_intel_unlink(ls__request *rq, ls__response *rs);

/* server_api_messages.c */
void ls__api_messages_plan(ls__request *rq, ls__response *rs);
void ls__api_messages_list(ls__request *rq, ls__response *rs);
void ls__api_messages_create(ls__request *rq, ls__response *rs);
void ls__api_messages_get(ls__request *rq, ls__response *rs);
void ls__api_messages_approve(ls__request *rq, ls__response *rs);
void ls__api_messages_cancel(ls__request *rq, ls__response *rs);
void ls__api_messages_dnc_list(ls__request *rq, ls__response *rs);
void ls__api_messages_dnc_add(ls__request *rq, ls__response *rs);

/* An intelligence item as JSON (server_api_intel.c). */
#include "linesight/ls_store_intel.h"
json_t *ls__intel_json(const ls_intel_item *it, const ls_intel_link *links, size_t nlinks);

#endif

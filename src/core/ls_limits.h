/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every hard limit on untrusted input in one place (curl's DYNBUF.md rule). */
#ifndef LINESIGHT_CORE_LS_LIMITS_H
#define LINESIGHT_CORE_LS_LIMITS_H

#define LS_LIMIT_CSV_FIELD (64u * 1024u)       /* one CSV field */
#define LS_LIMIT_CSV_RECORD (1024u * 1024u)    /* one CSV record (all fields) */
#define LS_LIMIT_CSV_COLUMNS 256u              /* columns in a header */
#define LS_LIMIT_NUMBER_CHARS 64u              /* a phone number as written */
#define LS_LIMIT_TEXT_OUTPUT (256u * 1024u * 1024u) /* a generated report or JSON text */
/* An analysis result held in memory (saved in the store, served by the
 * API); under SQLite's default limit of 1e9 bytes on one value. A larger
 * one is streamed to a file (analyse --json FILE). */
#define LS_LIMIT_RESULT_TEXT (900u * 1024u * 1024u)
#define LS_LIMIT_HTTP_BODY (1024u * 1024u)     /* one HTTP request body */
#define LS_LIMIT_HTTP_HEADER (16u * 1024u)     /* all headers of one request */

#endif

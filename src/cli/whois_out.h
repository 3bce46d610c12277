/*
 * whois_out.h - printing whois answers (whois_out.c).
 */
#ifndef SQ_WHOIS_OUT_H
#define SQ_WHOIS_OUT_H

#include "cli.h"

#include <squeaky/whois.h>

#include <stdio.h>

/* One JSON object (no newline) appended to b. */
void whois_json(struct jbuf *b, const sq_whois_answer *a);
/* A block of text for people; indent spaces before the first line. */
void whois_text(FILE *f, const sq_whois_answer *a, int indent);

#endif

/*
 * The files store (files.c) over any file PAL (port/pal.h). store_open uses
 * it with the POSIX PAL for paths ending in STORE_FILES_SUFFIX; a device, or
 * a test with the RAM PAL, opens it over its own PAL here.
 */
#ifndef IOTOKEN_STORE_FILES_H
#define IOTOKEN_STORE_FILES_H

#include "port/pal.h"
#include "store/store.h"

/* As store_open, over pal: with create the PAL's directory must hold no
 * token record yet. On success the store owns the PAL (store_close calls
 * pal->close when it is set); on failure the caller still does. */
CK_RV store_files_open(const pal_files *pal, int create, const store_token *t,
		       store **out) IOT_MUST_CHECK;

#endif

#ifndef LEDGERCHAT_CCURL_SHIM_H
#define LEDGERCHAT_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
   These typed wrappers cover every argument kind libcurl accepts. */

static inline CURLcode lc_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode lc_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode lc_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode lc_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*lc_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*lc_progress_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                    curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode lc_easy_setopt_data_callback(CURL *handle, CURLoption option, lc_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode lc_easy_setopt_progress_callback(CURL *handle, lc_progress_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode lc_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode lc_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode lc_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

/* CURL_VERSION_NOW is a macro; Swift sees only the enum value behind it. */
static inline curl_version_info_data *lc_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif

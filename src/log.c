/* Log sink selection and formatting: see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

/* Set once at start-up, before any thread exists; read-only afterwards. */
static enum log_level threshold = LOG_LVL_WARN;
static int to_syslog;

void log_setup(enum log_level max_level, int use_syslog)
{
    threshold = max_level;
    to_syslog = use_syslog;
    if (use_syslog)
        openlog("webrobotfs", LOG_PID, LOG_DAEMON);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > threshold)
        return;
    static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    static const char *const name[] = { "error", "warning", "info", "debug" };
    va_list ap;
    va_start(ap, fmt);
    if (to_syslog) {
        vsyslog(prio[level], fmt, ap);
    } else {
        char line[1024];
        vsnprintf(line, sizeof(line), fmt, ap);
        fprintf(stderr, "webrobotfs: %s: %s\n", name[level], line);
    }
    va_end(ap);
}

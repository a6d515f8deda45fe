/* Logging for the daemon: stderr in the foreground, syslog once daemonized.
 * Nothing secret is ever passed here (the API key never leaves http.c's
 * header list), so every level may be turned on safely. */
#ifndef WRFS_LOG_H
#define WRFS_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Set the threshold (messages above it are dropped) and the sink. */
void log_setup(enum log_level max_level, int use_syslog);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif

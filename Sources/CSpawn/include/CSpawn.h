// glibc's GNU extensions that process spawning needs. Swift's Glibc module is built without _GNU_SOURCE, so these
// are not visible from Swift; the definitions in spawn.c are compiled with it.
#ifndef LEDGERCHAT_CSPAWN_H
#define LEDGERCHAT_CSPAWN_H

#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so no child started meanwhile inherits them.
int cspawn_pipe_cloexec(int fds[2]);
/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` on (glibc 2.34).
int cspawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
/// posix_spawn_file_actions_addchdir_np: the child changes to `path` before exec (glibc 2.29).
int cspawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif

#ifndef CALLOCCOUNTER_H
#define CALLOCCOUNTER_H
/* Per-thread allocation counter. This target replaces malloc/calloc/realloc/memalign/
   posix_memalign/aligned_alloc with thin forwarders to glibc's own allocator; while counting is
   enabled on a thread, every allocation request made by that thread increments its counter. */
void alloc_counter_start(void);
/* Stops counting on this thread and returns the number of allocations since start. */
long long alloc_counter_stop(void);
/* 1 when the forwarders are really the process's malloc (interposition worked), else 0. */
int alloc_counter_active(void);
#endif

/* Stand-in for libflite_cmu_time_awb (flite's talking-clock voice, never used by the
   recipe): flite registers every built-in voice at start-up, so it must exist. The
   returned voice only has a name (cst_voice's first field), so selecting it by name
   finds it and every other voice is unaffected. Heap-allocated: flite frees it. */
#include <stdlib.h>
#include <string.h>
void *register_cmu_time_awb(const char *voxdir) {
    void **v = calloc(16, sizeof(void *));
    (void)voxdir;
    if (v) v[0] = strdup("time_awb");
    return v;
}
void unregister_cmu_time_awb(void *v) { (void)v; }

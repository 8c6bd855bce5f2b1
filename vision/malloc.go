package vision

// #include <malloc.h>
import "C"

// The engine's native libraries (ONNX Runtime, dlib, libjpeg-turbo) take
// their memory from glibc's malloc, on whichever threads Go runs cgo calls
// on. glibc gives threads their own arenas (up to eight a core), and each
// arena keeps the memory freed in it for later: the 68-photo real batch
// peaked at 861 MB, 789 MB with two arenas, 827 MB with the free memory
// given back after each photo, and 746 MB with both, at the same CPU time.

// mallocArenas is how many arenas glibc's malloc may use in all: one per
// batch worker on a two-core laptop. The native code's large allocations
// come from ONNX Runtime's own arena, so threads hardly wait on a lock.
const mallocArenas = 2

// limitMallocArenas caps glibc's arenas for the whole process (arenas
// already made stay); calling it again changes nothing.
func limitMallocArenas() { C.mallopt(C.M_ARENA_MAX, mallocArenas) }

// returnFreeMemory gives the memory glibc's arenas hold free back to the
// system.
func returnFreeMemory() { C.malloc_trim(0) }

#pragma once
// ThreadSanitizer suppressions for the runtime tests, compiled in only under TSan. Include from
// exactly one translation unit per test executable (runtime_fixture.hpp does).
//
// An exception a worker throws reaches the waiting client through std::promise. The client reads
// it; whichever side drops the last reference frees it, and that is sometimes the worker. The
// reference count lives in libsupc++, which is not instrumented, so TSan sees the free but not the
// ordering the count provides, and reports a race that is not there. Only frees of exception
// objects are suppressed.

#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {  // NOLINT: the name is TSan's interface
  return "race:std::__exception_ptr::exception_ptr::_M_release\n"  // the last reference, dropped directly
         "race:std::__future_base::_Result<void>::~_Result\n"         // or with the promise's result,
         "race:std::__future_base::_Result<void>::_M_destroy\n";      // destroyed through its deleter
}
#endif

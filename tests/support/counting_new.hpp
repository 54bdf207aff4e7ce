// Test support: replaces the global operator new/delete (all forms) with counting
// versions, so a test can see every C++ heap allocation of a call. Include it in exactly
// one translation unit of a test executable (it defines the replacement functions).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

// Every form allocates with malloc (or aligned_alloc) and frees with free, so any new
// pairs with any delete. Each successful allocation and each deallocation of a non-null
// pointer is counted.
namespace {
std::atomic<std::size_t> g_allocations{0};
std::atomic<std::size_t> g_deallocations{0};

void* counted_alloc(std::size_t n) noexcept {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void* counted_alloc(std::size_t n, std::align_val_t al) noexcept {
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  const std::size_t size = n == 0 ? a : (n + a - 1) / a * a; // aligned_alloc: a multiple of the alignment
  void* p = std::aligned_alloc(a, size);
  if (p) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void counted_free(void* p) noexcept {
  if (!p) return;
  g_deallocations.fetch_add(1, std::memory_order_relaxed);
  std::free(p);
}
void* or_throw(void* p) {
  if (!p) throw std::bad_alloc();
  return p;
}
} // namespace

void* operator new(std::size_t n) { return or_throw(counted_alloc(n)); }
void* operator new[](std::size_t n) { return or_throw(counted_alloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t al) { return or_throw(counted_alloc(n, al)); }
void* operator new[](std::size_t n, std::align_val_t al) { return or_throw(counted_alloc(n, al)); }
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept { return counted_alloc(n, al); }
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept { return counted_alloc(n, al); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }

namespace {
// A snapshot of the counters: compare two snapshots around a call.
struct heap_counts {
  std::size_t allocations = g_allocations.load();
  std::size_t deallocations = g_deallocations.load();
};
} // namespace

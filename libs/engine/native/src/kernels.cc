// Native kernels behind the engine's 'cpu-blas' tfjs backend (libs/engine/src/blas/).
//
// sgemm comes from a BLAS library opened at run time with dlopen (OpenBLAS from Debian's
// libopenblas0-pthread, BLIS, MKL or Apple's Accelerate), so this addon builds with nothing but a C++
// compiler and Node's headers, and a machine without a BLAS library simply reports it and falls back.
// The elementwise kernels are plain loops that the compiler vectorises; they compute each element the
// way tfjs's cpu backend does (float32 results of the same arithmetic; double where tfjs rounds a
// double result), so the accelerated backend matches the plain one except for matmul's summation order.
#include <node_api.h>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// CBLAS enums as every implementation defines them.
constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

using CBLAS_TRANSPOSE_T = int;
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();
using ConfigFn = char* (*)();

struct Blas {
  void* handle = nullptr;
  SgemmFn sgemm = nullptr;
  SetThreadsFn setThreads = nullptr;
  GetThreadsFn getThreads = nullptr;
  std::string path;
  std::string config;
};

Blas blas;
// The thread count asked for; GEMMs under kSmallGemmFlops run on one thread, where waking a second costs
// more than it saves (a dense layer's backward pass with 10 outputs: 256x128x10).
int wantedThreads = 1;
constexpr double kSmallGemmFlops = 4e6;

// ---- GEMM on a team of threads ---------------------------------------------------------------------------
//
// OpenBLAS's own threads wait for work spinning on sched_yield(), which hands their core to whatever else is
// runnable: in Node that is V8's garbage-collector and compiler threads, and the GEMM then waits for them
// (a 0.3 ms GEMM taking 3 ms, one in twenty). Here OpenBLAS runs single-threaded and a GEMM is cut into a
// fixed number of chunks that the calling thread and the team's workers take from a shared counter: a
// worker that is late only means the caller does more chunks. Chunks split the output's rows or columns,
// or, for a long inner dimension with a small output, the inner dimension into partial products that are
// then added in chunk order — so the result depends on the chunking alone, never on which thread ran what.

// Chunks per team member: a late worker costs at most one chunk's wait.
constexpr int kChunksPerMember = 2;
// How long an idle worker spins before it sleeps: longer than the gaps between the GEMMs of one training
// step (a few hundred microseconds of elementwise work), so a step's GEMMs find it awake.
constexpr auto kSpin = std::chrono::microseconds(5000);

struct GemmJob {
  bool ta = false, tb = false;
  int m = 0, n = 0, k = 0;
  const float* a = nullptr;
  const float* b = nullptr;
  float* c = nullptr;
  int split = 0;  // 0: rows of C, 1: columns of C, 2: the inner dimension
  int chunks = 0;
  int step = 0;  // chunk length along the split dimension
  float* partials = nullptr;  // split 2: chunks - 1 buffers of m * n (chunk 0 writes C)
};

void RunChunk(const GemmJob& j, int chunk) {
  const int lda = j.ta ? j.m : j.k;
  const int ldb = j.tb ? j.k : j.n;
  const int from = chunk * j.step;
  const int dim = j.split == 0 ? j.m : j.split == 1 ? j.n : j.k;
  const int len = std::min(j.step, dim - from);
  if (len <= 0) return;
  const CBLAS_TRANSPOSE_T transA = j.ta ? kTrans : kNoTrans;
  const CBLAS_TRANSPOSE_T transB = j.tb ? kTrans : kNoTrans;
  if (j.split == 0) {
    const float* a = j.ta ? j.a + from : j.a + static_cast<size_t>(from) * j.k;
    blas.sgemm(kRowMajor, transA, transB, len, j.n, j.k, 1.0f, a, lda, j.b, ldb, 0.0f, j.c + static_cast<size_t>(from) * j.n, j.n);
  } else if (j.split == 1) {
    const float* b = j.tb ? j.b + static_cast<size_t>(from) * j.k : j.b + from;
    blas.sgemm(kRowMajor, transA, transB, j.m, len, j.k, 1.0f, j.a, lda, b, ldb, 0.0f, j.c + from, j.n);
  } else {
    const float* a = j.ta ? j.a + static_cast<size_t>(from) * j.m : j.a + from;
    const float* b = j.tb ? j.b + from : j.b + static_cast<size_t>(from) * j.n;
    float* c = chunk == 0 ? j.c : j.partials + static_cast<size_t>(chunk - 1) * j.m * j.n;
    blas.sgemm(kRowMajor, transA, transB, j.m, j.n, len, 1.0f, a, lda, b, ldb, 0.0f, c, j.n);
  }
}

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class Team {
 public:
  // Starts members - 1 helper threads (the caller is the last member); 0 or 1 means no team.
  void Resize(int members) {
    std::lock_guard<std::mutex> run(running_);
    while (static_cast<int>(workers_) + 1 < members) {
      std::thread(&Team::Loop, this).detach();
      workers_++;
    }
    members_.store(members, std::memory_order_relaxed);
  }

  int members() const { return members_.load(std::memory_order_relaxed); }

  // Runs the job on the team; false (nothing done) when another JS thread is using the team right now.
  bool Run(const GemmJob& job) {
    std::unique_lock<std::mutex> run(running_, std::try_to_lock);
    if (!run.owns_lock()) return false;
    job_ = job;
    done_.store(0, std::memory_order_relaxed);
    const uint64_t seq = ++seq_;
    // One word says which job, how many chunks it has and which is next, so a worker still looking at the
    // previous job can never claim a chunk of this one or read job_ while it is being written.
    state_.store(seq << 32 | static_cast<uint64_t>(job.chunks) << 16, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(wake_);
      posted_ = seq;
    }
    wakeup_.notify_all();
    Work(seq);
    while (done_.load(std::memory_order_acquire) < job.chunks) Pause();
    return true;
  }

 private:
  void Work(uint64_t seq) {
    for (;;) {
      uint64_t state = state_.load(std::memory_order_acquire);
      if ((state >> 32) != seq) return;
      const int total = static_cast<int>((state >> 16) & 0xffffu);
      const int chunk = static_cast<int>(state & 0xffffu);
      if (chunk >= total) return;
      if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) continue;
      // Claimed: job_ stays as it is until every chunk of this job is done.
      RunChunk(job_, chunk);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void Loop() {
    uint64_t seen = 0;
    for (;;) {
      // A short spin catches the next GEMM of the same step; then sleep, so the core is free for others.
      uint64_t seq = seen;
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int i = 0; seq == seen; i++) {
        seq = state_.load(std::memory_order_acquire) >> 32;
        if (seq != seen) break;
        Pause();
        if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) break;
      }
      if (seq == seen) {
        std::unique_lock<std::mutex> lock(wake_);
        wakeup_.wait(lock, [&] { return posted_ != seen; });
        seq = posted_;
      }
      seen = seq;
      Work(seq);
    }
  }

  std::mutex running_;
  std::mutex wake_;
  std::condition_variable wakeup_;
  uint64_t posted_ = 0;
  uint64_t seq_ = 0;
  std::atomic<uint64_t> state_{0};
  std::atomic<int> done_{0};
  GemmJob job_;
  unsigned workers_ = 0;
  std::atomic<int> members_{1};
};

Team* team = nullptr;  // never freed: detached workers may outlive any one JS environment
bool useTeam = true;

thread_local std::vector<float> partialsBuffer;

// Cuts a GEMM into chunks for the team, or returns false for one plain call.
bool Plan(GemmJob& j) {
  const int members = team ? team->members() : 1;
  if (members < 2 || 2.0 * j.m * j.n * j.k < kSmallGemmFlops) return false;
  j.chunks = kChunksPerMember * std::min(members, 64);
  // Partial products cost (chunks - 1) output-sized buffers and one pass to add them: for small outputs only.
  const bool small = static_cast<double>(j.chunks - 1) * j.m * j.n <= 4e6;
  if (j.k >= 4 * std::max(j.m, j.n) && small) {
    j.split = 2;  // a long inner dimension: partial products, no operand packed twice
  } else {
    j.split = j.n > j.m ? 1 : 0;  // cut the longer side: each chunk re-reads the other operand
  }
  const int dim = j.split == 0 ? j.m : j.split == 1 ? j.n : j.k;
  // Multiples of 16 keep the BLAS kernels on their full-width paths.
  j.step = std::max(16, ((dim + j.chunks - 1) / j.chunks + 15) / 16 * 16);
  j.chunks = (dim + j.step - 1) / j.step;
  if (j.chunks < 2) return false;
  return true;
}

void TeamGemm(GemmJob j) {
  if (j.split == 2) {
    const size_t need = static_cast<size_t>(j.chunks - 1) * j.m * j.n;
    if (partialsBuffer.size() < need) partialsBuffer.resize(need);
    j.partials = partialsBuffer.data();
  }
  if (!team->Run(j)) {
    // The team is busy with another JS thread's GEMM: do this one here, chunk by chunk, with the same result.
    for (int c = 0; c < j.chunks; c++) RunChunk(j, c);
  }
  if (j.split == 2) {
    const size_t size = static_cast<size_t>(j.m) * j.n;
    for (int c = 1; c < j.chunks; c++) {
      const float* p = j.partials + static_cast<size_t>(c - 1) * size;
      for (size_t i = 0; i < size; i++) j.c[i] += p[i];
    }
  }
}

#define CHECK(call)                                                       \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error(env, nullptr, "trainyard_kernels: " #call " failed"); \
      return nullptr;                                                     \
    }                                                                     \
  } while (0)

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

bool GetFloats(napi_env env, napi_value value, float** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(raw);
  return true;
}

bool GetInt(napi_env env, napi_value value, int64_t* out) { return napi_get_value_int64(env, value, out) == napi_ok; }

bool GetDouble(napi_env env, napi_value value, double* out) { return napi_get_value_double(env, value, out) == napi_ok; }

napi_value Undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

template <typename T>
T Symbol(void* handle, const char* name) {
  return reinterpret_cast<T>(dlsym(handle, name));
}

// open(candidates: string[]): { path, config, threads } — the first library that loads and has cblas_sgemm.
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint32_t count = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &count) != napi_ok) return Throw(env, "open(candidates: string[])");
  std::string reasons;
  if (blas.handle == nullptr) {
    for (uint32_t i = 0; i < count; i++) {
      napi_value item;
      CHECK(napi_get_element(env, argv[0], i, &item));
      char path[4096];
      size_t len = 0;
      if (napi_get_value_string_utf8(env, item, path, sizeof path, &len) != napi_ok) continue;
      void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* error = dlerror();
        reasons += std::string(reasons.empty() ? "" : "; ") + (error ? error : path);
        continue;
      }
      auto sgemm = Symbol<SgemmFn>(handle, "cblas_sgemm");
      if (sgemm == nullptr) {
        reasons += std::string(reasons.empty() ? "" : "; ") + path + " has no cblas_sgemm";
        dlclose(handle);
        continue;
      }
      blas.handle = handle;
      blas.sgemm = sgemm;
      blas.path = path;
      // OpenBLAS, then BLIS, then MKL spell their thread controls differently.
      blas.setThreads = Symbol<SetThreadsFn>(handle, "openblas_set_num_threads");
      blas.getThreads = Symbol<GetThreadsFn>(handle, "openblas_get_num_threads");
      if (blas.setThreads == nullptr) blas.setThreads = Symbol<SetThreadsFn>(handle, "bli_thread_set_num_threads");
      if (blas.setThreads == nullptr) blas.setThreads = Symbol<SetThreadsFn>(handle, "MKL_Set_Num_Threads");
      if (blas.getThreads == nullptr) blas.getThreads = Symbol<GetThreadsFn>(handle, "MKL_Get_Max_Threads");
      if (auto config = Symbol<ConfigFn>(handle, "openblas_get_config")) {
        blas.config = config();
      } else if (auto version = Symbol<ConfigFn>(handle, "bli_info_get_version_str")) {
        blas.config = std::string("BLIS ") + version();
      } else if (Symbol<void*>(handle, "MKL_Get_Version_String") != nullptr) {
        blas.config = "MKL";
      } else {
        blas.config = "";
      }
      break;
    }
  }
  if (blas.handle == nullptr) return Throw(env, "no BLAS library with cblas_sgemm could be opened: " + reasons);
  napi_value result, path, config, threads;
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_string_utf8(env, blas.path.c_str(), blas.path.size(), &path));
  CHECK(napi_create_string_utf8(env, blas.config.c_str(), blas.config.size(), &config));
  if (blas.getThreads != nullptr) {
    CHECK(napi_create_int32(env, blas.getThreads(), &threads));
  } else {
    CHECK(napi_get_null(env, &threads));
  }
  CHECK(napi_set_named_property(env, result, "path", path));
  CHECK(napi_set_named_property(env, result, "config", config));
  CHECK(napi_set_named_property(env, result, "threads", threads));
  return result;
}

// setThreads(n): the BLAS library's thread count; returns what the library reports afterwards (null if it cannot say).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t n = 0;
  if (argc < 1 || !GetInt(env, argv[0], &n) || n < 1) return Throw(env, "setThreads(n: positive integer)");
  if (blas.handle == nullptr) return Throw(env, "no BLAS library is open");
  wantedThreads = static_cast<int>(n);
  if (useTeam && n > 1) {
    // The team runs the threads; OpenBLAS computes each chunk on the thread that took it.
    if (team == nullptr) team = new Team();
    team->Resize(wantedThreads);
    if (blas.setThreads != nullptr) blas.setThreads(1);
    napi_value members;
    CHECK(napi_create_int32(env, team->members(), &members));
    return members;
  }
  if (team != nullptr) team->Resize(1);
  if (blas.setThreads != nullptr) blas.setThreads(wantedThreads);
  napi_value result;
  if (blas.getThreads != nullptr) {
    CHECK(napi_create_int32(env, blas.getThreads(), &result));
  } else {
    CHECK(napi_get_null(env, &result));
  }
  return result;
}

// useTeam(on): whether setThreads(n > 1) runs GEMMs on the addon's team (default) or on OpenBLAS's own threads.
napi_value UseTeam(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 1 || napi_get_value_bool(env, argv[0], &useTeam) != napi_ok) return Throw(env, "useTeam(on: boolean)");
  return Undefined(env);
}

// sgemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset): C[m,n] = op(A)·op(B), row-major, dense.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 11) return Throw(env, "sgemm takes 11 arguments");
  if (blas.sgemm == nullptr) return Throw(env, "no BLAS library is open");
  bool ta = false, tb = false;
  int64_t m, n, k, ao, bo, co;
  float *a, *b, *c;
  size_t al, bl, cl;
  if (napi_get_value_bool(env, argv[0], &ta) != napi_ok || napi_get_value_bool(env, argv[1], &tb) != napi_ok ||
      !GetInt(env, argv[2], &m) || !GetInt(env, argv[3], &n) || !GetInt(env, argv[4], &k) ||
      !GetFloats(env, argv[5], &a, &al) || !GetInt(env, argv[6], &ao) || !GetFloats(env, argv[7], &b, &bl) ||
      !GetInt(env, argv[8], &bo) || !GetFloats(env, argv[9], &c, &cl) || !GetInt(env, argv[10], &co)) {
    return Throw(env, "sgemm(transA, transB, m, n, k, a: Float32Array, aOffset, b, bOffset, c, cOffset)");
  }
  if (m < 0 || n < 0 || k < 0 || ao < 0 || bo < 0 || co < 0 || static_cast<uint64_t>(ao + m * k) > al ||
      static_cast<uint64_t>(bo + k * n) > bl || static_cast<uint64_t>(co + m * n) > cl) {
    return Throw(env, "sgemm: sizes and offsets exceed the arrays");
  }
  if (m == 0 || n == 0) return Undefined(env);
  if (k == 0) {
    std::memset(c + co, 0, sizeof(float) * m * n);
    return Undefined(env);
  }
  const int lda = ta ? static_cast<int>(m) : static_cast<int>(k);
  const int ldb = tb ? static_cast<int>(k) : static_cast<int>(n);
  GemmJob job;
  job.ta = ta;
  job.tb = tb;
  job.m = static_cast<int>(m);
  job.n = static_cast<int>(n);
  job.k = static_cast<int>(k);
  job.a = a + ao;
  job.b = b + bo;
  job.c = c + co;
  if (team != nullptr && team->members() > 1) {
    if (Plan(job)) {
      TeamGemm(job);
    } else {
      blas.sgemm(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, job.m, job.n, job.k, 1.0f, job.a, lda, job.b, ldb, 0.0f, job.c, job.n);
    }
    return Undefined(env);
  }
  const bool narrow = wantedThreads > 1 && blas.setThreads != nullptr && 2.0 * m * n * k < kSmallGemmFlops;
  if (narrow) blas.setThreads(1);
  blas.sgemm(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, job.m, job.n, job.k, 1.0f, job.a, lda, job.b, ldb, 0.0f, job.c, job.n);
  if (narrow) blas.setThreads(wantedThreads);
  return Undefined(env);
}

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
enum Broadcast { kSame = 0, kScalarB = 1, kScalarA = 2, kRowB = 3, kRowA = 4, kColB = 5, kColA = 6 };

template <int Op>
inline float Apply(float x, float y) {
  // float32 results of one IEEE operation equal tfjs's double result rounded to float32.
  if (Op == kAdd) return x + y;
  if (Op == kSub) return x - y;
  if (Op == kMul) return x * y;
  return x / y;
}

// One small function per loop shape, so each is vectorised on its own (one big switch was not: 4x slower).
template <int Op>
__attribute__((noinline)) void BinarySame(const float* __restrict a, const float* __restrict b, float* __restrict out, size_t size) {
  for (size_t i = 0; i < size; i++) out[i] = Apply<Op>(a[i], b[i]);
}

template <int Op>
__attribute__((noinline)) void BinaryScalarB(const float* __restrict a, float s, float* __restrict out, size_t size) {
  for (size_t i = 0; i < size; i++) out[i] = Apply<Op>(a[i], s);
}

template <int Op>
__attribute__((noinline)) void BinaryScalarA(float s, const float* __restrict b, float* __restrict out, size_t size) {
  for (size_t i = 0; i < size; i++) out[i] = Apply<Op>(s, b[i]);
}

template <int Op>
void BinaryLoop(int mode, const float* a, const float* b, float* out, size_t size, size_t inner) {
  switch (mode) {
    case kSame:
      BinarySame<Op>(a, b, out, size);
      break;
    case kScalarB:
      BinaryScalarB<Op>(a, b[0], out, size);
      break;
    case kScalarA:
      BinaryScalarA<Op>(a[0], b, out, size);
      break;
    case kRowB:
      for (size_t r = 0; r < size; r += inner) BinarySame<Op>(a + r, b, out + r, inner);
      break;
    case kRowA:
      for (size_t r = 0; r < size; r += inner) BinarySame<Op>(a, b + r, out + r, inner);
      break;
    case kColB:
      for (size_t r = 0, row = 0; r < size; r += inner, row++) BinaryScalarB<Op>(a + r, b[row], out + r, inner);
      break;
    case kColA:
      for (size_t r = 0, row = 0; r < size; r += inner, row++) BinaryScalarA<Op>(a[row], b + r, out + r, inner);
      break;
  }
}

size_t Needed(int mode, bool isA, size_t size, size_t inner) {
  switch (mode) {
    case kSame: return size;
    case kScalarB: return isA ? size : 1;
    case kScalarA: return isA ? 1 : size;
    case kRowB: return isA ? size : inner;
    case kRowA: return isA ? inner : size;
    case kColB: return isA ? size : size / inner;
    case kColA: return isA ? size / inner : size;
  }
  return 0;
}

// binary(op, mode, a, b, out, inner): out = a op b with one of the broadcasts above; inner is a row's length.
napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t op, mode, inner;
  float *a, *b, *out;
  size_t al, bl, size;
  if (argc != 6 || !GetInt(env, argv[0], &op) || !GetInt(env, argv[1], &mode) || !GetFloats(env, argv[2], &a, &al) ||
      !GetFloats(env, argv[3], &b, &bl) || !GetFloats(env, argv[4], &out, &size) || !GetInt(env, argv[5], &inner)) {
    return Throw(env, "binary(op, mode, a: Float32Array, b: Float32Array, out: Float32Array, inner)");
  }
  if (op < kAdd || op > kDiv || mode < kSame || mode > kColA || inner < 1 || size % static_cast<size_t>(inner) != 0 ||
      al < Needed(static_cast<int>(mode), true, size, inner) || bl < Needed(static_cast<int>(mode), false, size, inner)) {
    return Throw(env, "binary: bad op, mode or sizes");
  }
  const auto m = static_cast<int>(mode);
  const auto n = static_cast<size_t>(inner);
  switch (op) {
    case kAdd: BinaryLoop<kAdd>(m, a, b, out, size, n); break;
    case kSub: BinaryLoop<kSub>(m, a, b, out, size, n); break;
    case kMul: BinaryLoop<kMul>(m, a, b, out, size, n); break;
    case kDiv: BinaryLoop<kDiv>(m, a, b, out, size, n); break;
  }
  return Undefined(env);
}

enum UnaryOp { kRelu = 0, kStep = 1, kSigmoid = 2, kTanh = 3, kLeakyRelu = 4, kNeg = 5, kSquare = 6, kLinear = 7, kExp = 8, kLog = 9 };

inline float Activate(int op, float x, double alpha) {
  switch (op) {
    case kRelu: return x > 0 ? x : (x != x ? x : 0.0f);  // Math.max(0, x): NaN stays NaN, -0 becomes 0
    case kStep: return x != x ? x : (x > 0 ? 1.0f : static_cast<float>(alpha));
    case kSigmoid: return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
    case kTanh: return static_cast<float>(std::tanh(static_cast<double>(x)));
    case kLeakyRelu: return x < 0 ? static_cast<float>(alpha * x) : x;
    case kNeg: return -x;
    case kSquare: return x * x;
    case kExp: return static_cast<float>(std::exp(static_cast<double>(x)));
    case kLog: return static_cast<float>(std::log(static_cast<double>(x)));
    default: return x;
  }
}

template <int Op>
void UnaryLoop(const float* __restrict x, float* __restrict out, size_t size, double alpha) {
  for (size_t i = 0; i < size; i++) out[i] = Activate(Op, x[i], alpha);
}

// unary(op, x, out, alpha): out = f(x) elementwise.
napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t op;
  double alpha;
  float *x, *out;
  size_t xl, size;
  if (argc != 4 || !GetInt(env, argv[0], &op) || !GetFloats(env, argv[1], &x, &xl) || !GetFloats(env, argv[2], &out, &size) ||
      !GetDouble(env, argv[3], &alpha)) {
    return Throw(env, "unary(op, x: Float32Array, out: Float32Array, alpha: number)");
  }
  if (xl < size || op < kRelu || op > kLog) return Throw(env, "unary: bad op or sizes");
  switch (op) {
    case kRelu: UnaryLoop<kRelu>(x, out, size, alpha); break;
    case kStep: UnaryLoop<kStep>(x, out, size, alpha); break;
    case kSigmoid: UnaryLoop<kSigmoid>(x, out, size, alpha); break;
    case kTanh: UnaryLoop<kTanh>(x, out, size, alpha); break;
    case kLeakyRelu: UnaryLoop<kLeakyRelu>(x, out, size, alpha); break;
    case kNeg: UnaryLoop<kNeg>(x, out, size, alpha); break;
    case kSquare: UnaryLoop<kSquare>(x, out, size, alpha); break;
    case kExp: UnaryLoop<kExp>(x, out, size, alpha); break;
    case kLog: UnaryLoop<kLog>(x, out, size, alpha); break;
    default: std::memcpy(out, x, size * sizeof(float)); break;
  }
  return Undefined(env);
}

__attribute__((noinline)) void SgdLoop(float* __restrict v, const float* __restrict g, float c, size_t size) {
  for (size_t i = 0; i < size; i++) {
    const float step = c * g[i];
    v[i] = step + v[i];
  }
}

// sum(x, rows, cols, axis, out): axis 0 sums each column (out has cols), axis 1 each row (out has rows);
// in double, in index order, as tfjs's cpu Sum does after moving the reduced axis innermost.
napi_value Sum(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t rows, cols, axis;
  float *x, *out;
  size_t xl, ol;
  if (argc != 5 || !GetFloats(env, argv[0], &x, &xl) || !GetInt(env, argv[1], &rows) || !GetInt(env, argv[2], &cols) ||
      !GetInt(env, argv[3], &axis) || !GetFloats(env, argv[4], &out, &ol)) {
    return Throw(env, "sum(x: Float32Array, rows, cols, axis, out: Float32Array)");
  }
  if (rows < 0 || cols < 0 || xl < static_cast<size_t>(rows * cols) || (axis != 0 && axis != 1) ||
      ol < static_cast<size_t>(axis == 0 ? cols : rows)) {
    return Throw(env, "sum: bad sizes");
  }
  const size_t r = rows, c = cols;
  if (axis == 0) {
    std::vector<double> acc(c, 0.0);
    for (size_t i = 0; i < r; i++) {
      const float* row = x + i * c;
      for (size_t j = 0; j < c; j++) acc[j] += row[j];
    }
    for (size_t j = 0; j < c; j++) out[j] = static_cast<float>(acc[j]);
  } else {
    for (size_t i = 0; i < r; i++) {
      const float* row = x + i * c;
      double acc = 0.0;
      for (size_t j = 0; j < c; j++) acc += row[j];
      out[i] = static_cast<float>(acc);
    }
  }
  return Undefined(env);
}

// biasActivate(c, cols, bias | null, op, alpha): in place, c = f(c + bias) row by row — _FusedMatMul's epilogue,
// rounding after the add as tfjs does (add, then activation, each a float32 tensor).
napi_value BiasActivate(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t cols, op;
  double alpha;
  float *c, *bias = nullptr;
  size_t cl, bl = 0;
  napi_valuetype biasType;
  if (argc != 5 || !GetFloats(env, argv[0], &c, &cl) || !GetInt(env, argv[1], &cols) ||
      napi_typeof(env, argv[2], &biasType) != napi_ok || !GetInt(env, argv[3], &op) || !GetDouble(env, argv[4], &alpha)) {
    return Throw(env, "biasActivate(c: Float32Array, cols, bias: Float32Array | null, op, alpha)");
  }
  if (biasType != napi_null && !GetFloats(env, argv[2], &bias, &bl)) return Throw(env, "biasActivate: bias must be a Float32Array or null");
  if (cols < 1 || cl % static_cast<size_t>(cols) != 0 || (bias != nullptr && bl != static_cast<size_t>(cols)) || op < kRelu ||
      op > kLinear) {
    return Throw(env, "biasActivate: bad op or sizes");
  }
  const size_t n = cols;
  const int f = static_cast<int>(op);
  for (size_t r = 0; r < cl; r += n) {
    float* row = c + r;
    if (bias != nullptr)
      for (size_t j = 0; j < n; j++) row[j] += bias[j];
    if (f != kLinear)
      for (size_t j = 0; j < n; j++) row[j] = Activate(f, row[j], alpha);
  }
  return Undefined(env);
}

// sgdStep(values, gradient, scale): in place, values += float32(scale) * gradient — tfjs's SGD update
// add(mul(c, g), v) with the same two float32 roundings, without its two new arrays and three passes.
napi_value SgdStep(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  float *v, *g;
  size_t vl, gl;
  double scale;
  if (argc != 3 || !GetFloats(env, argv[0], &v, &vl) || !GetFloats(env, argv[1], &g, &gl) || !GetDouble(env, argv[2], &scale)) {
    return Throw(env, "sgdStep(values: Float32Array, gradient: Float32Array, scale)");
  }
  if (vl != gl) return Throw(env, "sgdStep: values and gradient differ in length");
  SgdLoop(v, g, static_cast<float>(scale), vl);
  return Undefined(env);
}

// lookupRows(pixels, samples, inputSize, table, out): out's row r = table[pixels of sample samples[r]], with
// table[channel * 256 + byte] per interleaved channel: a training batch from the dataset's bytes, ~4× the JS loop.
napi_value LookupRows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  void *px, *ix;
  float *table, *out;
  size_t pl, il, tl, ol;
  napi_typedarray_type pt, it;
  int64_t inputSize;
  if (argc != 5 || napi_get_typedarray_info(env, argv[0], &pt, &pl, &px, nullptr, nullptr) != napi_ok || pt != napi_uint8_array ||
      napi_get_typedarray_info(env, argv[1], &it, &il, &ix, nullptr, nullptr) != napi_ok || it != napi_int32_array || !GetInt(env, argv[2], &inputSize) ||
      !GetFloats(env, argv[3], &table, &tl) || !GetFloats(env, argv[4], &out, &ol)) {
    return Throw(env, "lookupRows(pixels: Uint8Array, samples: Int32Array, inputSize, table: Float32Array, out: Float32Array)");
  }
  const size_t n = static_cast<size_t>(inputSize);
  const size_t channels = tl / 256;
  if (n == 0 || channels == 0 || tl != channels * 256 || ol < il * n) return Throw(env, "lookupRows: table or out has the wrong length");
  const uint8_t* pixels = static_cast<const uint8_t*>(px);
  const int32_t* samples = static_cast<const int32_t*>(ix);
  for (size_t r = 0; r < il; r++) {
    const int64_t sample = samples[r];
    if (sample < 0 || static_cast<size_t>(sample + 1) * n > pl) return Throw(env, "lookupRows: a sample is outside the pixels");
    const uint8_t* from = pixels + static_cast<size_t>(sample) * n;
    float* into = out + r * n;
    if (channels == 1) for (size_t j = 0; j < n; j++) into[j] = table[from[j]];
    else for (size_t j = 0; j < n; j++) into[j] = table[(j % channels) * 256 + from[j]];
  }
  return Undefined(env);
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useTeam", nullptr, UseTeam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lookupRows", nullptr, LookupRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivate", nullptr, BiasActivate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }

"""Constants shared by every notebook and helper, used as defaults."""

DEFAULT_SEED = 42
"""The seed every notebook passes to `course_utils.setup`."""

# The seed notebook's world: 1,000 customers with 5 features, 50 products with 10.
N_CUSTOMERS = 1000
N_PRODUCTS = 50
N_CUSTOMER_FEATURES = 5
N_PRODUCT_FEATURES = 10

MIN_STARS = 1
MAX_STARS = 5

THREADS = 2
"""Threads for TensorFlow's thread pools, on every machine.

Op determinism fixes the order of each sum for one thread-pool size only: TensorFlow splits
a sum into as many parts as it has threads, so a 1-core or 8-core machine adds the same
numbers in another order and prints other last digits. Two is what the course's reference
laptop has; `setup` sets it whatever the machine has.
"""

BLAS_THREADS = 1
"""Threads for OpenBLAS (NumPy, SciPy) and OpenMP (faiss), on every machine.

One, not the machine's count: the course's matrices are small, and OpenBLAS' threads wait
for work by spinning, so two of them sharing one core made 20 SVDs of a 1,000 x 50 matrix
take 15 s instead of 0.03 s (`taskset -c 0`, measured with threadpoolctl).
"""

RUNTIME_ENV = {
    # oneDNN's fused kernels change float results by the last bit from run to run.
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # 3 hides TensorFlow's C++ INFO, WARNING and ERROR log lines. With op determinism on,
    # TF 2.21's tf.data rewrite logs "NodeDef mentions attribute use_unbounded_threadpool"
    # as an ERROR on every Keras fit, though nothing fails; real errors still raise in Python.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # The same thread-pool sizes everywhere (see THREADS, BLAS_THREADS). TensorFlow reads
    # these at import, OpenMP (faiss) when it is loaded; `setup` limits the BLAS already loaded.
    "TF_NUM_INTRAOP_THREADS": str(THREADS),
    "TF_NUM_INTEROP_THREADS": str(THREADS),
    "OMP_NUM_THREADS": str(BLAS_THREADS),
    "OPENBLAS_NUM_THREADS": str(BLAS_THREADS),
}
"""Environment that TensorFlow, OpenBLAS and OpenMP read once, when they are loaded."""

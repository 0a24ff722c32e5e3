"""Constants shared by every notebook and helper, used as defaults."""

DEFAULT_SEED = 42
"""The seed every notebook passes to `course_utils.setup`."""

DEFAULT_K = 10
"""How many products a ranking metric looks at unless told otherwise."""

# The seed notebook's world: 1,000 customers with 5 features, 50 products with 10.
N_CUSTOMERS = 1000
N_PRODUCTS = 50
N_CUSTOMER_FEATURES = 5
N_PRODUCT_FEATURES = 10

MIN_STARS = 1
MAX_STARS = 5

TF_QUIET_ENV = {
    # oneDNN's fused kernels change float results by the last bit from run to run.
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # 3 hides TensorFlow's C++ INFO, WARNING and ERROR log lines. With op determinism on,
    # TF 2.21's tf.data rewrite logs "NodeDef mentions attribute use_unbounded_threadpool"
    # as an ERROR on every Keras fit, though nothing fails; real errors still raise in Python.
    "TF_CPP_MIN_LOG_LEVEL": "3",
}
"""Environment TensorFlow reads once, when it is first imported."""

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
    # 2 hides TensorFlow's INFO and WARNING lines at import.
    "TF_CPP_MIN_LOG_LEVEL": "2",
}
"""Environment TensorFlow reads once, when it is first imported."""

"""A synthetic world of customers and products with a hidden, recoverable taste.

Introduced in notebooks/01_synthetic_data.py. The seed notebook drew ratings with
`randint(1, 6)`, independent of every feature, so no model could learn anything. Here a
hidden taste model turns features into an expected rating, and observed ratings add
noise on top. Because we know the noise, we know the **noise floor**: the lowest mean
squared error any model can reach.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr
from scipy.stats import truncnorm

from course_utils.config import (
    DEFAULT_SEED,
    MAX_STARS,
    MIN_STARS,
    N_CUSTOMER_FEATURES,
    N_CUSTOMERS,
    N_PRODUCT_FEATURES,
    N_PRODUCTS,
)
from course_utils.validation import (
    ArgumentTypeError,
    as_index_array,
    as_matrix,
    check_fraction,
    check_instance,
    check_positive_int,
    check_real,
    check_same_rows,
    check_seed,
)

STAR_VALUES = np.arange(MIN_STARS, MAX_STARS + 1)


def truncated_normal_features(n_rows: int, n_features: int, rng: np.random.Generator) -> np.ndarray:
    """Draw features from a standard normal truncated to [-1, 1], as the seed does.

    Returns:
        (n_rows, n_features) float array.
    """
    n_rows = check_positive_int("n_rows", n_rows)
    n_features = check_positive_int("n_features", n_features)
    if not isinstance(rng, np.random.Generator):
        raise ArgumentTypeError(
            f"rng must be a np.random.Generator (np.random.default_rng(seed)), got {rng!r}"
        )
    return truncnorm.rvs(-1, 1, size=(n_rows, n_features), random_state=rng)


def star_distribution(latent: np.ndarray, noise_sd: float) -> np.ndarray:
    """Probability of each star value when `latent + N(0, noise_sd)` is rounded and clipped.

    Args:
        latent: (...) float array, the rating before noise.
    Returns:
        (..., 5) array; the last axis sums to 1 and follows `STAR_VALUES`.
    """
    noise_sd = check_real("noise_sd", noise_sd, low=0.0, low_inclusive=False)
    latent = as_matrix("latent", latent, ndim=np.ndim(latent))
    edges = np.concatenate([[-np.inf], STAR_VALUES[:-1] + 0.5, [np.inf]])
    # ndtr is the standard normal CDF: the same values as scipy.stats.norm.cdf, 8x faster.
    cdf = ndtr((edges - latent[..., None]) / noise_sd)
    return np.diff(cdf, axis=-1)


@dataclass(frozen=True)
class TasteModel:
    """The hidden rule that turns features into ratings. Learners never see inside it.

    A customer's taste is `tanh(customer_features @ customer_weights)` and a product's
    profile is `tanh(product_features @ product_weights)`: each is a point in a small
    latent space, and their dot product is how well they match. Each customer and each
    product also has a non-linear bias of its own.
    """

    customer_weights: np.ndarray  # (n_customer_features, n_factors)
    product_weights: np.ndarray  # (n_product_features, n_factors)
    customer_bias_weights: np.ndarray  # (n_customer_features,)
    product_bias_weights: np.ndarray  # (n_product_features,)
    noise_sd: float
    purchase_threshold: float  # latent rating at which a purchase is a coin flip

    def latent(self, customer_features, product_features) -> np.ndarray:
        """The noiseless rating of every customer for every product, before rounding.

        Returns:
            (n_customers, n_products) float array.
        """
        customers = as_matrix("customer_features", customer_features)
        products = as_matrix("product_features", product_features)
        if customers.shape[1] != len(self.customer_weights):
            raise ValueError(
                f"customer_features must have {len(self.customer_weights)} columns, "
                f"got {customers.shape[1]}"
            )
        if products.shape[1] != len(self.product_weights):
            raise ValueError(
                f"product_features must have {len(self.product_weights)} columns, "
                f"got {products.shape[1]}"
            )
        taste = np.tanh(customers @ self.customer_weights)
        profile = np.tanh(products @ self.product_weights)
        match = taste @ profile.T
        customer_bias = 0.5 * np.tanh(customers @ self.customer_bias_weights)
        product_bias = 0.5 * np.tanh(products @ self.product_bias_weights)
        return 3.0 + match + customer_bias[:, None] + product_bias[None, :]

    def expected_ratings(self, customer_features, product_features) -> np.ndarray:
        """E[stars | features]: the best any model can predict. (n_customers, n_products)."""
        probabilities = star_distribution(
            self.latent(customer_features, product_features), self.noise_sd
        )
        return probabilities @ STAR_VALUES

    def rating_variance(self, customer_features, product_features) -> np.ndarray:
        """Var[stars | features]: the noise no model can remove. (n_customers, n_products)."""
        probabilities = star_distribution(
            self.latent(customer_features, product_features), self.noise_sd
        )
        mean = probabilities @ STAR_VALUES
        return probabilities @ STAR_VALUES**2 - mean**2

    def purchase_probability(self, customer_features, product_features) -> np.ndarray:
        """Relative purchase frequency, in [0, 1]: implicit feedback's ground truth."""
        latent = self.latent(customer_features, product_features)
        return expit(3.0 * (latent - self.purchase_threshold))


@dataclass(frozen=True)
class SyntheticWorld:
    """Features, observed feedback and the ground truth behind it.

    Matrices are (n_customers, n_products): entry [i, j] is customer i and product j.
    """

    customer_features: np.ndarray  # (n_customers, n_customer_features)
    product_features: np.ndarray  # (n_products, n_product_features)
    ratings: np.ndarray  # observed stars, int in 1..5 (explicit feedback)
    expected: np.ndarray  # E[stars | features]
    noise_floor: float  # mean Var[stars | features]: the lowest reachable MSE
    purchases: np.ndarray  # observed 0/1 (implicit feedback)
    purchase_probability: np.ndarray  # E[purchase | features], in [0, 1]
    taste: TasteModel

    @property
    def n_customers(self) -> int:
        return len(self.customer_features)

    @property
    def n_products(self) -> int:
        return len(self.product_features)


def make_taste_model(
    n_customer_features: int = N_CUSTOMER_FEATURES,
    n_product_features: int = N_PRODUCT_FEATURES,
    n_factors: int = 3,
    noise_sd: float = 0.5,
    seed: int = DEFAULT_SEED,
) -> TasteModel:
    """Draw the hidden taste model's weights."""
    for name, value in [
        ("n_customer_features", n_customer_features),
        ("n_product_features", n_product_features),
        ("n_factors", n_factors),
    ]:
        check_positive_int(name, value)
    noise_sd = check_real("noise_sd", noise_sd, low=0.0, low_inclusive=False)
    rng = np.random.default_rng(check_seed("seed", seed))
    # Scaled so that a feature vector from [-1, 1] lands where tanh bends.
    customer_scale = 2.0 / np.sqrt(n_customer_features)
    product_scale = 2.0 / np.sqrt(n_product_features)
    return TasteModel(
        customer_weights=rng.normal(0, customer_scale, (n_customer_features, n_factors)),
        product_weights=rng.normal(0, product_scale, (n_product_features, n_factors)),
        customer_bias_weights=rng.normal(0, customer_scale, n_customer_features),
        product_bias_weights=rng.normal(0, product_scale, n_product_features),
        noise_sd=float(noise_sd),
        purchase_threshold=3.5,
    )


def make_world(
    n_customers: int = N_CUSTOMERS,
    n_products: int = N_PRODUCTS,
    n_customer_features: int = N_CUSTOMER_FEATURES,
    n_product_features: int = N_PRODUCT_FEATURES,
    n_factors: int = 3,
    noise_sd: float = 0.5,
    seed: int = DEFAULT_SEED,
) -> SyntheticWorld:
    """Generate the seed's world, with a signal to learn and a known noise floor.

    Same seed, same world. The defaults are the seed notebook's: 1,000 customers with
    5 features, 50 products with 10 features, features truncated-normal on [-1, 1].
    """
    check_positive_int("n_customers", n_customers)
    check_positive_int("n_products", n_products)
    check_seed("seed", seed)
    taste = make_taste_model(n_customer_features, n_product_features, n_factors, noise_sd, seed)
    rng = np.random.default_rng([seed, 1])  # a stream of its own, apart from the weights
    customers = truncated_normal_features(n_customers, n_customer_features, rng)
    products = truncated_normal_features(n_products, n_product_features, rng)

    latent = taste.latent(customers, products)
    noisy = latent + rng.normal(0, noise_sd, latent.shape)
    ratings = np.clip(np.rint(noisy), MIN_STARS, MAX_STARS).astype(np.int64)
    probability = taste.purchase_probability(customers, products)
    purchases = (rng.random(probability.shape) < probability).astype(np.int64)
    return SyntheticWorld(
        customer_features=customers,
        product_features=products,
        ratings=ratings,
        expected=taste.expected_ratings(customers, products),
        noise_floor=float(taste.rating_variance(customers, products).mean()),
        purchases=purchases,
        purchase_probability=probability,
        taste=taste,
    )


@dataclass(frozen=True)
class PairTable:
    """One row per (customer, product) pair: ids, both feature vectors and the target.

    Every array has the same number of rows, checked on construction.
    """

    customer_ids: np.ndarray  # (n_rows,) int
    product_ids: np.ndarray  # (n_rows,) int
    customer_x: np.ndarray  # (n_rows, n_customer_features)
    product_x: np.ndarray  # (n_rows, n_product_features)
    y: np.ndarray  # (n_rows,) float

    def __post_init__(self):
        """Refuse what would train silently on nonsense: ids that are not ids, NaN, strings."""
        for name in ("customer_ids", "product_ids"):
            as_index_array(name, getattr(self, name))
        for name in ("customer_x", "product_x"):
            as_matrix(name, getattr(self, name), copy=False)
        as_matrix("y", self.y, ndim=1, copy=False)
        check_same_rows(
            customer_ids=self.customer_ids,
            product_ids=self.product_ids,
            customer_x=self.customer_x,
            product_x=self.product_x,
            y=self.y,
        )

    def __len__(self) -> int:
        return len(self.y)

    @property
    def features(self) -> np.ndarray:
        """Customer then product features side by side: the MLP's input. (n_rows, f_c + f_p)."""
        return np.concatenate([self.customer_x, self.product_x], axis=1)

    @property
    def tower_inputs(self) -> dict[str, np.ndarray]:
        """Customer and product features apart: the two-tower models' input."""
        return {"customer": self.customer_x, "product": self.product_x}

    def take(self, rows) -> "PairTable":
        """The rows at the given positions, in that order."""
        rows = as_index_array("rows", rows, upper=len(self))
        return PairTable(
            self.customer_ids[rows],
            self.product_ids[rows],
            self.customer_x[rows],
            self.product_x[rows],
            self.y[rows],
        )


def pair_table(customer_features, product_features, targets) -> PairTable:
    """Pair every customer with every product: row `i * n_products + j` is (i, j).

    Args:
        customer_features: (n_customers, n_customer_features) array.
        product_features: (n_products, n_product_features) array.
        targets: (n_customers, n_products) array; targets[i, j] is customer i's for product j.
    """
    customers = as_matrix("customer_features", customer_features)
    products = as_matrix("product_features", product_features)
    targets = as_matrix("targets", targets)
    expected_shape = (len(customers), len(products))
    if targets.shape != expected_shape:
        raise ValueError(
            f"targets must have shape (n_customers, n_products) = {expected_shape}, "
            f"got {targets.shape}"
        )
    n_customers, n_products = expected_shape
    # Customer-major order, the same order as targets.reshape(-1):
    # customer i repeats n_products times, the product list is tiled n_customers times.
    return PairTable(
        customer_ids=np.repeat(np.arange(n_customers), n_products),
        product_ids=np.tile(np.arange(n_products), n_customers),
        customer_x=np.repeat(customers, n_products, axis=0),
        product_x=np.tile(products, (n_customers, 1)),
        y=targets.reshape(-1),
    )


def sample_pairs(
    customer_features, product_features, targets, per_customer: int, seed: int = DEFAULT_SEED
) -> PairTable:
    """Each customer rates `per_customer` distinct random products: a sparse `pair_table`.

    Introduced in notebooks/08_scaling_and_serving.py. Real customers rate a few products
    of a large catalogue; pairing everyone with everything would not fit in memory there.
    Rows are customer-major, products in random order; row r is (customer_ids[r],
    product_ids[r]) with targets[customer_ids[r], product_ids[r]].
    """
    customers = as_matrix("customer_features", customer_features)
    products = as_matrix("product_features", product_features)
    targets = as_matrix("targets", targets)
    if targets.shape != (len(customers), len(products)):
        raise ValueError(
            f"targets must have shape (n_customers, n_products) = "
            f"{(len(customers), len(products))}, got {targets.shape}"
        )
    per_customer = check_positive_int("per_customer", per_customer)
    if per_customer > len(products):
        raise ValueError(
            f"per_customer must be at most the {len(products)} products, got {per_customer}"
        )
    rng = np.random.default_rng(check_seed("seed", seed))
    customer_ids = np.repeat(np.arange(len(customers)), per_customer)
    product_ids = np.concatenate(
        [rng.choice(len(products), per_customer, replace=False) for _ in range(len(customers))]
    )
    return PairTable(
        customer_ids=customer_ids,
        product_ids=product_ids,
        customer_x=customers[customer_ids],
        product_x=products[product_ids],
        y=targets[customer_ids, product_ids].astype(float),
    )


def split_pairs(table: PairTable, test_fraction: float = 0.2, seed: int = DEFAULT_SEED):
    """Hold out a random fraction of pairs. Returns (train, test), each in shuffled order."""
    check_table("table", table)
    check_fraction("test_fraction", test_fraction)
    rows = np.random.default_rng(check_seed("seed", seed)).permutation(len(table))
    n_test = round(test_fraction * len(table))
    if not 0 < n_test < len(table):
        raise ValueError(
            f"test_fraction={test_fraction} leaves {n_test} of {len(table)} pairs for "
            "testing; each side needs at least one"
        )
    return table.take(rows[n_test:]), table.take(rows[:n_test])


def split_customers(table: PairTable, test_fraction: float = 0.2, seed: int = DEFAULT_SEED):
    """Hold out every rating of a random fraction of customers: the cold-start split.

    Returns (train, test), each in shuffled order; no customer appears in both.
    """
    check_table("table", table)
    check_fraction("test_fraction", test_fraction)
    rng = np.random.default_rng(check_seed("seed", seed))
    customers = np.unique(table.customer_ids)
    n_test = round(test_fraction * len(customers))
    if not 0 < n_test < len(customers):
        raise ValueError(
            f"test_fraction={test_fraction} leaves {n_test} of {len(customers)} customers "
            "for testing; each side needs at least one"
        )
    test_customers = rng.choice(customers, n_test, replace=False)
    is_test = np.isin(table.customer_ids, test_customers)
    rows = rng.permutation(len(table))
    return table.take(rows[~is_test[rows]]), table.take(rows[is_test[rows]])


def to_matrix(table: PairTable, n_customers: int, n_products: int) -> np.ndarray:
    """Put each row's target back at [customer, product]; pairs not in the table are NaN."""
    check_table("table", table)
    check_positive_int("n_customers", n_customers)
    check_positive_int("n_products", n_products)
    customers = as_index_array(
        "table.customer_ids", table.customer_ids, upper=n_customers, upper_name="n_customers"
    )
    products = as_index_array(
        "table.product_ids", table.product_ids, upper=n_products, upper_name="n_products"
    )
    cells = customers * n_products + products
    if len(np.unique(cells)) != len(cells):
        _, first, counts = np.unique(cells, return_index=True, return_counts=True)
        row = int(first[np.argmax(counts > 1)])
        raise ValueError(
            f"table rates (customer {customers[row]}, product {products[row]}) more than "
            "once; a matrix has one cell per pair"
        )
    y = as_matrix("table.y", table.y, ndim=1)
    matrix = np.full((n_customers, n_products), np.nan)
    matrix[customers, products] = y
    return matrix


def check_table(name: str, table) -> PairTable:
    """Return `table` if it is a `PairTable`, or raise naming `name` and what it got."""
    return check_instance(name, table, PairTable, "a PairTable (from pair_table or sample_pairs)")

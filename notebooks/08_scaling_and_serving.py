# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 07 · Scaling and serving: from 50 products to 100,000
#
# The seed notebook scored 50 products by running every (customer, product) pair through
# its network. A real catalogue has 100,000 products or more, and a customer expects an
# answer in milliseconds. This notebook trains the dot-product two-tower of notebook 05 on a
# sparse sample of ratings, then serves a catalogue of 100,000 products it has never seen,
# without ever building the (customers × products) matrix, first exactly and then
# approximately with an index.
#
# **Learning goals**
#
# - Count what materialising every pair would cost, before running out of memory finding out.
# - Take each customer's exact top k over 100,000 products a block at a time.
# - Check recommendations for new customers and new products against the hidden truth.
# - Trade a little recall for a lot of speed with an approximate index (faiss IVF).
# - Serve: new customers from features, excluded products, products added without retraining.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import tracemalloc

import faiss
import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils.data import make_world, sample_pairs, split_customers, truncated_normal_features
from course_utils.exercises.serving import check_merge_top_k, check_to_euclidean
from course_utils.metrics import overlap_at_k
from course_utils.models import DotTwoTower, build_tower
from course_utils.plots import plot_learning_curves
from course_utils.recommend import top_k
from course_utils.serving import (
    Recommender,
    inner_product_to_euclidean,
    top_k_streaming,
)

# %% slideshow={"slide_type": "skip"}
SEED = 42
N_CUSTOMERS = 2_000  # the training world: customers ...
N_PRODUCTS = 2_000  # ... and products
PER_CUSTOMER = 40  # ratings each customer gives: 2% of the matrix
VALIDATION_FRACTION = 0.1  # of the customers, held out
TOWER_UNITS = (32,)
EMBEDDING_DIM = 16
EPOCHS = 20
BATCH_SIZE = 512  # with twice Adam's default learning rate: see section 2
LEARNING_RATE = 2e-3
CATALOGUE_SIZE = 100_000  # the products we serve, none of them seen in training
N_NEW_CUSTOMERS = 200
BLOCK_SIZE = 10_000  # products scored at once
K = 10
N_LISTS = 256  # faiss IVF: clusters of products
N_PROBES = [1, 2, 4, 8, 16, 32]  # clusters searched per customer

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. What scoring every pair would cost
#
# The seed's MLP needs one row of 15 features (5 customer, 10 product) per pair. For 1,000
# customers that is fine at 50 products and hopeless at 100,000. The dot-product two-tower
# needs one vector per product, computed once, and one per customer: 16 numbers plus two
# bias columns (notebook 05).

# %% slideshow={"slide_type": "-"}
VECTOR_LENGTH = EMBEDDING_DIM + 2
print(f"{'products':>9}{'pair rows':>14}{'pair features':>15}{'product vectors':>17}")
for n_products in (50, 5_000, CATALOGUE_SIZE):
    pair_rows = 1_000 * n_products
    pair_mb = pair_rows * 15 * 4 / 1e6  # float32: 4 bytes a number
    vector_mb = n_products * VECTOR_LENGTH * 4 / 1e6
    print(f"{n_products:>9,}{pair_rows:>14,}{pair_mb:>12,.0f} MB{vector_mb:>14.1f} MB")

# %% [markdown] slideshow={"slide_type": "slide"}
# Six gigabytes of float32 pair features, to be pushed through a network, against 7 MB of
# product vectors computed once. The rest of this notebook never builds pair rows, and
# builds a whole (customers × products) score matrix only once: for 20 customers, to check
# the block-by-block search against it.
#
# ## 2. A sparse world, and the two-tower trained on it
#
# Real customers rate a few products each. Our training world has 2,000 customers and 2,000
# products, and each customer rated 40 of them (`sample_pairs`): 80,000 ratings, 2% of the
# matrix. We hold out 10% of the customers, to check the model on customers it never saw.

# %% slideshow={"slide_type": "-"}
world = make_world(n_customers=N_CUSTOMERS, n_products=N_PRODUCTS, seed=SEED)
rated = sample_pairs(
    world.customer_features, world.product_features, world.ratings, PER_CUSTOMER, seed=SEED
)
train, validation = split_customers(rated, VALIDATION_FRACTION, seed=SEED)
print(f"{len(rated):,} ratings: train {len(train):,}, validation {len(validation):,}")
print(f"validation customers are new: {len(np.unique(validation.customer_ids))} of them")
assert not np.isin(validation.customer_ids, train.customer_ids).any()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The two-tower of notebook 05, trained on mean squared error, in batches of 512 with twice
# Adam's default learning rate: half as many steps as batches of 256 at the default rate,
# so less time. Could a slower schedule do better? Not by much: no schedule takes a model
# below the noise floor, and this one ends at 1.04x the floor on the validation customers
# (below), so at most about 4% of the floor is left to gain.


# %% slideshow={"slide_type": "subslide"}
def train_two_tower(table, epochs=EPOCHS, seed=SEED):
    """The dot-product two-tower of notebook 05, trained on `table`; returns (model, history)."""
    keras.utils.set_random_seed(seed)
    model = DotTwoTower(
        build_tower(5, TOWER_UNITS, EMBEDDING_DIM, name="customer_tower"),
        build_tower(10, TOWER_UNITS, EMBEDDING_DIM, name="product_tower"),
    )
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(LEARNING_RATE))
    history = model.fit(
        table.tower_inputs,
        table.y,
        validation_data=(validation.tower_inputs, validation.y),
        epochs=epochs,
        batch_size=BATCH_SIZE,
        verbose=0,
    )
    return model, history.history


two_tower, curves = train_two_tower(train)
validation_ratio = curves["val_loss"][-1] / world.noise_floor
print(f"validation MSE on new customers: {validation_ratio:.2f}x the noise floor")
assert validation_ratio < 1.15, validation_ratio

# %% slideshow={"slide_type": "subslide"}
plot_learning_curves(curves, floor=world.noise_floor, title="Two-tower on 2% of the ratings")
plt.show()
every_4th = " ".join(f"{v:.3f}" for v in curves["val_loss"][::4])
print(f"validation MSE at epochs 1, 5, 9, ...: {every_4th}; floor {world.noise_floor:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A catalogue of 100,000 products it has never seen
#
# New products come from the same distribution of features as the training products, and
# new customers from that of the customers. The product tower embeds the catalogue once,
# a block of products at a time; `Recommender` keeps those vectors.

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng([SEED, 7])
catalogue = truncated_normal_features(CATALOGUE_SIZE, 10, rng)
new_customers = truncated_normal_features(N_NEW_CUSTOMERS, 5, rng)

recommender = Recommender(two_tower, catalogue, block_size=BLOCK_SIZE)
product_vectors = recommender.product_vectors
vector_mb = product_vectors.astype("float32").nbytes / 1e6
print(f"product vectors {product_vectors.shape}: {vector_mb:.1f} MB as float32")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Exact top k, a block at a time
#
# We never need all 100,000 scores of a customer at once: only the best 10. So we score one
# block of 10,000 products, merge its scores with the best 10 kept so far, and move on.
# Memory grows with the block, not the catalogue. Here is the whole idea in a few lines:


# %% slideshow={"slide_type": "-"}
def streaming_top_k(score_blocks, k):
    """Each customer's k best products, best first, from their scores a block at a time."""
    best_ids = best_scores = None
    start = 0  # the id of the block's first product
    for block in score_blocks:  # (n_customers, block_size) scores
        ids = np.broadcast_to(np.arange(start, start + block.shape[1]), block.shape)
        start += block.shape[1]
        if best_ids is not None:  # merge with the best so far: they have lower ids
            ids = np.concatenate([best_ids, ids], axis=1)
            block = np.concatenate([best_scores, block], axis=1)
        # A stable sort keeps id order among equal scores: a tie goes to the lower id.
        order = np.argsort(-block, axis=1, kind="stable")[:, :k]
        best_ids = np.take_along_axis(ids, order, axis=1)
        best_scores = np.take_along_axis(block, order, axis=1)
    return best_ids, best_scores


def scores_by_block(customer_vectors, block_size=BLOCK_SIZE):
    """Scores of every product for these customers, `block_size` products at a time."""
    for start in range(0, len(product_vectors), block_size):
        yield customer_vectors @ product_vectors[start : start + block_size].T


# %% [markdown] slideshow={"slide_type": "subslide"}
# `Recommender.recommend` does the same with `course_utils.serving.top_k_streaming`: this
# function, with the same arguments, plus input checks. For 20 customers we check that ours,
# the package's, and the top 10 of the whole score matrix (small enough to build for 20)
# all agree:

# %% slideshow={"slide_type": "-"}
customer_vectors = two_tower.embed_customers(new_customers)
ids, scores = recommender.recommend(new_customers, K)
print("top-10 ids", ids.shape, " scores", scores.shape)

few = customer_vectors[:20]
our_ids, our_scores = streaming_top_k(scores_by_block(few), K)
assert np.array_equal(our_ids, ids[:20]) and np.allclose(our_scores, scores[:20])
assert np.array_equal(top_k(few @ product_vectors.T, K), ids[:20])

whole_bytes = N_NEW_CUSTOMERS * CATALOGUE_SIZE * 8
block_bytes = N_NEW_CUSTOMERS * (BLOCK_SIZE + K) * 8
print(
    f"scores held at once for {N_NEW_CUSTOMERS} customers: whole matrix "
    f"{whole_bytes / 1e6:.0f} MB, one block {block_bytes / 1e6:.0f} MB"
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Are they good recommendations?
#
# In this world we can ask the hidden taste model. The **oracle** ranks all 100,000 products
# by each new customer's expected rating; we compute it a block at a time too, with the same
# streaming top k. We compare the expected rating of the 10 products each method picks.

# %% slideshow={"slide_type": "-"}
oracle_blocks = (
    world.taste.expected_ratings(new_customers, catalogue[start : start + BLOCK_SIZE])
    for start in range(0, CATALOGUE_SIZE, BLOCK_SIZE)
)
oracle_ids, oracle_expected = top_k_streaming(oracle_blocks, K)
print(f"oracle's top {K}: mean expected rating {oracle_expected.mean():.2f}")


# %% slideshow={"slide_type": "subslide"}
def expected_of(chosen):
    """The true expected rating of each customer's chosen products. (n_customers, K)."""
    return np.stack(
        [
            world.taste.expected_ratings(new_customers[i : i + 1], catalogue[row])[0]
            for i, row in enumerate(chosen)
        ]
    )


# each customer is paired with their own products: the oracle's values come back
assert np.allclose(expected_of(oracle_ids), oracle_expected)

# %% slideshow={"slide_type": "subslide"}
random_ids = np.random.default_rng([SEED, 8]).integers(0, CATALOGUE_SIZE, (N_NEW_CUSTOMERS, K))
quality = {
    "random": expected_of(random_ids).mean(),
    "two-tower": expected_of(ids).mean(),
    "oracle": oracle_expected.mean(),
}
for name, value in quality.items():
    print(f"{name:>10}: mean expected rating of the top {K}: {value:.2f}")
lift = (quality["two-tower"] - quality["random"]) / (quality["oracle"] - quality["random"])
overlap = overlap_at_k(ids, oracle_ids)
print(
    f"the two-tower gets {lift:.0%} of the oracle's lift over random; "
    f"{overlap:.0%} of its top {K} are the oracle's"
)
assert lift > 0.8, lift

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(quality), list(quality.values()), color=["tab:grey", "tab:blue", "tab:green"])
ax.set(
    xlim=(1, 5),
    xlabel=f"mean expected rating of the top {K}",
    title="100,000 unseen products, 200 new customers",
)
plt.show()
print("bars:", ", ".join(f"{name} {value:.2f}" for name, value in quality.items()))

# %% [markdown] slideshow={"slide_type": "slide"}
# The oracle's own top 10 out of 100,000 is a needle in a haystack: many products are
# nearly as good, so a small share of exact matches still means excellent picks. What
# counts for the customer is how good the picks are, and the two-tower's are close to the
# best possible, for customers and products it never saw.
#
# ## 6. Approximate search: look in a few clusters only
#
# Exact search scores every product for every request. An approximate index scores only
# the products likely to be near the top. The classic one is the **inverted file index**
# (IVF):
#
# - **k-means** groups the product vectors into `N_LISTS` = 256 clusters: it starts from
#   256 products as centres, gives each product to its nearest centre, moves each centre to
#   the mean of its products, and repeats until the centres settle;
# - each cluster keeps the list of its products' ids, an **inverted list** (from a cluster
#   to its products, like a book's index from a word to its pages);
# - a request is compared with the 256 centres, and only the products in the lists of the
#   **`nprobe`** best centres are scored. `nprobe` is the knob: 1 is fastest, 256 is exact.
#
# faiss, a library built for this, does it in a few lines. We measure the **recall** of its
# top 10 against the exact top 10 above, and the share of the catalogue it had to score.
# faiss runs on one thread here so that its clustering is the same on every run.

# %% slideshow={"slide_type": "subslide"}
faiss.omp_set_num_threads(1)


def build_ivf(products, metric, n_lists=N_LISTS):
    """An IVF index of `products` (k-means clusters, then inverted lists); returns the index."""
    dim = products.shape[1]
    is_ip = metric == faiss.METRIC_INNER_PRODUCT
    quantizer = faiss.IndexFlatIP(dim) if is_ip else faiss.IndexFlatL2(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, n_lists, metric)
    index.cp.seed = SEED  # k-means' starting centres
    index.train(products)  # k-means
    index.add(products)  # each product into the inverted list of its cluster
    return index


def ivf_recall(index, customers):
    """recall@K against exact search, and the share of the catalogue scored, by nprobe."""
    sizes = np.array([index.invlists.list_size(i) for i in range(index.nlist)])
    curve = {}
    for nprobe in N_PROBES:
        index.nprobe = nprobe
        _, found = index.search(customers, K)
        _, probed = index.quantizer.search(customers, nprobe)  # the clusters it looked in
        curve[nprobe] = (overlap_at_k(found, ids), sizes[probed].sum(axis=1).mean() / index.ntotal)
    return curve


def show(name, curve):
    print(name)
    for nprobe, (recall, share) in curve.items():
        print(
            f"  nprobe {nprobe:2d}: recall@{K} {recall:.2f}, scoring {share:.1%} of the catalogue"
        )


# %% [markdown] slideshow={"slide_type": "subslide"}
# The obvious way, an IVF index with faiss' inner-product metric, is the one many tutorials
# show. But our scores are inner products of vectors whose lengths differ, and then the
# clusters whose centres score highest for a customer need not hold that customer's best
# products: a product joins the cluster whose centre it scores highest with, which is not the
# same question.

# %% slideshow={"slide_type": "-"}
products32 = product_vectors.astype("float32")
customers32 = customer_vectors.astype("float32")
naive = ivf_recall(build_ivf(products32, faiss.METRIC_INNER_PRODUCT), customers32)
show("IVF on inner products", naive)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The fix is one extra column (Bachrach et al., 2014, for the Xbox recommender): give each
# product `sqrt(M² - |p|²)`, with `M` the largest product length, and each customer 0. Now
# every product has length `M`, and `|c - p|² = |c|² + M² - 2 c·p`: the **nearest** product
# is the one with the **highest** score. Clusters by distance then work
# (`course_utils.serving.inner_product_to_euclidean`; Exercise 1 asks you to write it).

# %% slideshow={"slide_type": "-"}
products_plus, customers_plus = inner_product_to_euclidean(products32, customers32)
transformed = ivf_recall(build_ivf(products_plus, faiss.METRIC_L2), customers_plus)
show("IVF on distances, after the transformation", transformed)
good_enough = [nprobe for nprobe, (recall, share) in transformed.items() if recall >= 0.95]
print(
    f"recall >= 0.95 from nprobe {good_enough[0]}, "
    f"scoring {transformed[good_enough[0]][1]:.1%} of the catalogue"
)
assert good_enough and transformed[good_enough[0]][1] < 0.05
assert max(recall for recall, _ in naive.values()) < 0.5

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots()
for name, curve in [("inner products", naive), ("after the transformation", transformed)]:
    recalls, shares = zip(*curve.values(), strict=True)
    ax.plot(np.array(shares) * 100, recalls, marker="o", label=name)
    print(f"{name}: recall@{K} by nprobe", " ".join(f"{r:.2f}" for r in recalls))
ax.set(
    xscale="log",
    xlabel="% of the catalogue scored",
    ylabel=f"recall@{K} against exact",
    title="faiss IVF: recall against work",
)
ax.set_xticks([0.2, 0.5, 1, 2, 5, 10], labels=["0.2%", "0.5%", "1%", "2%", "5%", "10%"])
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# A few clusters hold most of each customer's best products. Why do so few suffice? The
# product vectors have 18 numbers but little room to spread: the taste behind the ratings
# has 3 hidden dimensions, plus a bias per product. The share of the vectors' variance along
# their main directions (their principal components, from an SVD) measures it:

# %% slideshow={"slide_type": "-"}
centred = products32 - products32.mean(axis=0)
singular_values = np.linalg.svd(centred, compute_uv=False)
variance_share = np.cumsum(singular_values**2) / np.sum(singular_values**2)
shares = " ".join(f"{s:.3f}" for s in variance_share[:6])
print(f"variance share of the first 1, 2, ..., 6 directions of {VECTOR_LENGTH}: {shares}")
assert variance_share[3] > 0.9, variance_share  # 4 directions: 3 of taste + the bias

# %% [markdown] slideshow={"slide_type": "slide"}
# Four of the 18 directions hold 0.919 of the variance: the clusters only have to tile a
# space of about four dimensions. Real embeddings are less tidy, so `nprobe` is tuned on
# real requests. How much faster this is in wall time depends on the machine; `make bench`
# measures it side by side with exact search, and reports ratios.
#
# ## 7. Serving requests
#
# A recommender in production answers one customer at a time: features in, product ids
# out. It must not show what the customer already bought, and it must pick up new products
# without waiting for the next training run.

# %% slideshow={"slide_type": "-"}
customer = new_customers[:1]  # a customer who signed up today: features only
first_ids, first_scores = recommender.recommend(customer, 5)
print("top 5:", first_ids[0].tolist(), "scores", np.round(first_scores[0], 2).tolist())

bought = first_ids[0, :2]  # they buy the first two
after_ids, _ = recommender.recommend(customer, 5, exclude=[bought])
print("after buying", bought.tolist(), ":", after_ids[0].tolist())
assert not np.isin(after_ids, bought).any() and np.array_equal(after_ids[0, :3], first_ids[0, 2:])

# %% [markdown] slideshow={"slide_type": "subslide"}
# Excluding is a small trick on top of the top k: fetch `k + len(bought)` products, drop the
# bought ones (at most `len(bought)` of them are there), and keep the first `k` left. In a
# few lines, checked against the package's `recommend(..., exclude=...)`:


# %% slideshow={"slide_type": "-"}
def recommend_excluding(customer_vector, bought, k):
    """One customer's k best products, never one of `bought`. (k,) ids."""
    fetched, _ = streaming_top_k(scores_by_block(customer_vector), k + len(bought))
    return fetched[0][~np.isin(fetched[0], bought)][:k]


ours = recommend_excluding(customer_vectors[:1], bought, 5)
print("ours after buying:", ours.tolist())
assert np.array_equal(ours, after_ids[0])

# %% [markdown] slideshow={"slide_type": "subslide"}
# New products arrive: their vectors come from the product tower, from features alone, and
# they compete with the rest at once. Here 1,000 new products join the 100,000.

# %% slideshow={"slide_type": "-"}
arrivals = truncated_normal_features(1_000, 10, np.random.default_rng([SEED, 9]))
new_ids = recommender.add_products(arrivals)
ids_now, _ = recommender.recommend(new_customers, K)
share_new = np.isin(ids_now, new_ids).mean()
print(
    f"catalogue now {recommender.n_products:,} products, "
    f"{len(new_ids) / recommender.n_products:.1%} of them new"
)
print(
    f"the new products take {share_new:.1%} of the {ids_now.size:,} top-{K} slots "
    f"of our {N_NEW_CUSTOMERS} customers"
)
assert recommender.n_products == CATALOGUE_SIZE + 1_000 and share_new > 0

# %% [markdown] slideshow={"slide_type": "subslide"}
# Is that share what any 1,000 products would get? The slots are lumpy: a good product
# appears in many customers' lists at once. So we compare the newcomers with each of the
# 100 groups of 1,000 old products (ids 0-999, 1,000-1,999, ...):

# %% slideshow={"slide_type": "-"}
group_share = np.bincount(ids_now.ravel() // 1_000, minlength=101) / ids_now.size
old_groups, new_group = group_share[:100], group_share[100]
print(
    f"share of the slots taken by each group of 1,000 old products: "
    f"median {np.median(old_groups):.1%}, from {old_groups.min():.1%} to {old_groups.max():.1%}"
)
print(
    f"the new group: {new_group:.1%}, through {len(np.unique(ids_now[ids_now >= CATALOGUE_SIZE]))} "
    f"distinct new products; {np.mean(old_groups >= new_group):.0%} of old groups take as much"
)
assert old_groups.min() <= new_group <= old_groups.max()

# %% [markdown] slideshow={"slide_type": "slide"}
# The new products take 0.9% of the slots while they are 1.0% of the catalogue. With so few
# products filling the lists, that share is noisy: the old groups of 1,000 take anywhere
# from 0.0% to 7.0% (median 0.6%), and 42% of them take at least as much as the newcomers.
# So the newcomers are treated like any other products with the same features: no penalty
# for being new, and no boost. Exact search over the grown
# catalogue needs nothing more; an IVF index would `add` the new vectors to its clusters,
# and be re-clustered now and then.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Materialising every pair for 1,000 customers and 100,000 products is 6 GB of features;
#   the dot-product two-tower needs 7 MB of product vectors, computed once.
# - Streaming top-k scores one block, merges it with the best k so far, and gives exactly the
#   whole matrix's answer (checked) while holding one block of scores at a time.
# - Trained on 2% of a 2,000-product world, the two-tower recommends from 100,000 unseen
#   products for unseen customers with most of the oracle's lift over random (asserted above
#   80%).
# - An IVF index on raw inner products misses most of the best products; after one extra
#   column turns inner products into distances, it reaches recall 0.95 of exact search while
#   scoring a small share of the catalogue (asserted under 5%); `make bench` times it.
# - Serving needs only features: new customers, excluded purchases (fetch k plus the number
#   excluded, then drop) and new products work without retraining.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1 (coding, checked): the Euclidean transform
#
# Write `to_euclidean(product_vectors, customer_vectors)`: return the products with one
# extra last column `sqrt(M² - |p|²)`, where `M` is the largest product norm, and the
# customers with one extra last column of zeros. Then every product has norm `M`, and a
# customer's nearest product is the one with the highest dot product.
#
# *Hint:* `norms_squared = (product_vectors**2).sum(axis=1)`; `np.column_stack` appends a
# column. Only the products get the square root.


# %% slideshow={"slide_type": "subslide"}
def to_euclidean(product_vectors, customer_vectors):
    """(products with the extra column, customers with a 0 column)."""
    raise NotImplementedError("Exercise 1: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_to_euclidean(to_euclidean)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2 (coding, checked): merge the shards' top k
#
# A catalogue too large for one server is split into shards; each shard returns its own top
# k for each customer, with catalogue ids. Write `merge_top_k(shard_ids, shard_scores, k)`:
# `shard_ids` and `shard_scores` are lists with one `(n_customers, k)` array per shard, in the
# order the shards answered (not by id). Return the catalogue's top k, `(ids, scores)`, both
# `(n_customers, k)`, best first, ties to the lower id, exactly as `top_k` on the whole matrix.
#
# *Hint:* concatenate along axis 1, then `np.lexsort((ids, -scores), axis=1)` sorts by score
# and, among equal scores, by id; `np.take_along_axis` reorders ids and scores alike.


# %% slideshow={"slide_type": "-"}
def merge_top_k(shard_ids, shard_scores, k):
    """The global top k from each shard's top k: (ids, scores), (n_customers, k) each."""
    raise NotImplementedError("Exercise 2: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_merge_top_k(merge_top_k)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: the block size
#
# Set `BLOCK_SIZE = 1_000` and `100_000`. The ids do not change; what does?
# *Hint:* `make bench` measures memory and time; or use `tracemalloc` here.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: fewer ratings
#
# Train on `PER_CUSTOMER = 5`. How much of the oracle's lift is left?
# *Hint:* 10,000 ratings for 2,000 products: five per product.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: the number of lists
#
# Try `N_LISTS = 64` and `1024`. Which reaches recall 0.95 with less of the catalogue scored?
# *Hint:* more lists are smaller, but the centres themselves must be compared too.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 6: a graph instead of clusters
#
# Replace `IndexIVFFlat` by `faiss.IndexHNSWFlat(VECTOR_LENGTH, 32, faiss.METRIC_INNER_PRODUCT)`
# and vary `index.hnsw.efSearch`.
# *Hint:* HNSW is a graph, not clusters; it needs no `train`.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it. Try first.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1


# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def to_euclidean_solution(product_vectors, customer_vectors):
    """(products with the extra column, customers with a 0 column)."""
    norms_squared = (product_vectors**2).sum(axis=1)
    extra = np.sqrt(norms_squared.max() - norms_squared)  # M² = the largest squared norm
    zeros = np.zeros(len(customer_vectors))
    return np.column_stack([product_vectors, extra]), np.column_stack([customer_vectors, zeros])


check_to_euclidean(to_euclidean_solution)
ours_plus, _ = to_euclidean_solution(product_vectors, customer_vectors)
assert np.allclose(ours_plus, products_plus, atol=1e-5)  # the package's, on the catalogue

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2


# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def merge_top_k_solution(shard_ids, shard_scores, k):
    """The global top k from each shard's top k: (ids, scores), (n_customers, k) each."""
    ids = np.concatenate(shard_ids, axis=1)
    scores = np.concatenate(shard_scores, axis=1)
    order = np.lexsort((ids, -scores), axis=1)[:, :k]  # by score, then by id
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


check_merge_top_k(merge_top_k_solution)

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# On the real catalogue: ten shards of 10,000 products, answering in reverse order, merge to
# exactly the exact top 10 of section 4.
#
# </details>

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
shard_answers = []
for start in reversed(range(0, CATALOGUE_SIZE, BLOCK_SIZE)):
    shard_scores = customer_vectors @ product_vectors[start : start + BLOCK_SIZE].T
    shard_top = top_k(shard_scores, K)  # the shard's own top k, shard positions
    shard_answers.append((shard_top + start, np.take_along_axis(shard_scores, shard_top, 1)))
merged, _ = merge_top_k_solution(*zip(*shard_answers, strict=True), K)
print(
    f"{len(shard_answers)} shards merged: same top {K} as exact search:",
    np.array_equal(merged, ids),
)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
for block_size in (1_000, 10_000, 100_000):
    tracemalloc.start()
    block_ids, _ = top_k_streaming(scores_by_block(customer_vectors, block_size), K)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert np.array_equal(block_ids, ids)
    print(f"block of {block_size:>7,} products: same ids, peak memory {peak / 1e6:5.0f} MB")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# The ids are the same for every block size (asserted): streaming is exact. What changes is
# the memory held at once, which grows with the block: the peak goes from 11 MB with blocks
# of 1,000 to 761 MB with one block of 100,000, the whole (200 × 100,000) score matrix and
# the work of sorting it, which is what streaming avoids. Time changes too, less: tiny
# blocks pay Python's overhead once per block, huge ones fall out of the CPU cache;
# `make bench` measures it.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 4

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
sparse = sample_pairs(world.customer_features, world.product_features, world.ratings, 5, seed=SEED)
sparse_train = sparse.take(np.flatnonzero(~np.isin(sparse.customer_ids, validation.customer_ids)))
sparse_model, sparse_curves = train_two_tower(sparse_train)
sparse_ids, _ = Recommender(sparse_model, catalogue, block_size=BLOCK_SIZE).recommend(
    new_customers, K
)
sparse_lift = (expected_of(sparse_ids).mean() - quality["random"]) / (
    quality["oracle"] - quality["random"]
)
sparse_ratio = sparse_curves["val_loss"][-1] / world.noise_floor
print(
    f"{len(sparse_train):,} ratings: validation MSE {sparse_ratio:.2f}x the floor, "
    f"{sparse_lift:.0%} of the oracle's lift (with 40 per customer: {lift:.0%})"
)

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# With 5 ratings per customer the two-tower keeps 86% of the oracle's lift, against 92% with
# 40. It learns from features, not from ids: each rating teaches the towers about every
# customer and product with similar features, so 9,000 ratings go a long way in a world
# whose taste has few dimensions. The validation error suffers more (1.23x the floor instead
# of 1.04x) than the ranking does: ranking only needs the order of the best products right.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 5

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
print("scores a request needs, at the first nprobe with recall@10 >= 0.95:")
for n_lists in (64, N_LISTS, 1_024):
    curve = ivf_recall(build_ivf(products_plus, faiss.METRIC_L2, n_lists), customers_plus)
    nprobe = next(n for n, (recall, _) in curve.items() if recall >= 0.95)
    scored = round(curve[nprobe][1] * CATALOGUE_SIZE)  # in the probed lists, mean of 200
    total = scored + n_lists  # the request is also compared with every centre
    print(
        f"{n_lists:>5} lists, nprobe {nprobe:2d}: {scored:>5,} products + {n_lists:>5,} centres "
        f"= {total:>5,} ({total / CATALOGUE_SIZE:.1%} of the catalogue)"
    )

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# More lists means smaller lists, so the products scored at the first good `nprobe` shrink;
# but a request also compares itself with every centre, and 1,024 centres are about 1% of
# this catalogue. Adding both (printed above, as counts so that the sums are exact), 256
# lists cost least here: 1,273 scores a request, against 1,611 with 1,024 lists and 5,617
# with 64. The usual rule of thumb is a number of lists near the square root of the
# catalogue (316 for 100,000), which balances the two costs.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 6

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
subset = 20_000  # a fifth of the catalogue keeps the graph's construction quick
subset_ids = top_k(customer_vectors @ product_vectors[:subset].T, K)  # exact, on the subset
for name, metric, products, customers in [
    ("inner products", faiss.METRIC_INNER_PRODUCT, products32, customers32),
    ("distances after the transformation", faiss.METRIC_L2, products_plus, customers_plus),
]:
    graph = faiss.IndexHNSWFlat(products.shape[1], 32, metric)
    graph.add(products[:subset])  # no train: each product is linked to its neighbours
    recalls = []
    for ef_search in (16, 64, 256):
        graph.hnsw.efSearch = ef_search
        recalls.append(overlap_at_k(graph.search(customers, K)[1], subset_ids))
    print(
        f"HNSW on {name}: recall@{K} at efSearch 16, 64, 256:",
        " ".join(f"{r:.2f}" for r in recalls),
    )

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# HNSW links each product to its nearest neighbours in a layered graph, and a request walks
# the graph greedily from an entry point; `efSearch` is how many candidates the walk keeps,
# so recall rises with it, and so does the time. It needs no training. Like IVF, the graph
# finds neighbours by its metric: on raw inner products, which are not a distance, its walks
# miss some of the best products (recall 0.92 even at `efSearch` 256); after the
# transformation it finds 0.98 of them at `efSearch` 16 (on 20,000 products).
#
# </details>

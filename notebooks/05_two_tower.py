# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Two-tower models: the seed's, made correct, and the one retrieval uses
#
# A two-tower model gives customers and products a network each. The seed's version
# concatenates the towers' outputs into a dense head; its training cell also fed Keras 1,000
# customer rows beside 5,000 product rows, and Keras trained without a word. This notebook
# shows that mistake, then trains the concatenating model correctly, and then the
# **dot-product** two-tower that real systems use: because its towers never meet until a
# final dot product, every product's embedding can be computed once, and a customer is
# scored against the whole catalogue with one matrix product.
#
# **Learning goals**
#
# - Find the silent shape mismatch in the seed's two-tower cell, and make it fail loudly.
# - See why a concatenating two-tower with no hidden head cannot learn an interaction.
# - Train a dot-product two-tower on ratings (MSE), and for retrieval on purchases
#   (in-batch softmax with the corrections for accidental hits and popularity), and write
#   its score and its loss yourself.
# - Recommend for new customers and new products from features alone.
# - Compare the cost of scoring a catalogue: every pair through a network, or one matrix product.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import keras
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import log_softmax
from scipy.stats import truncnorm

from course_utils.data import make_world, pair_table, split_customers
from course_utils.exercises.two_tower import check_in_batch_softmax_loss, check_top_k_by_dot
from course_utils.metrics import recall_at_k, top_k_relevance
from course_utils.models import (
    ConcatTwoTower,
    DotTwoTower,
    InBatchSoftmax,
    build_mlp,
    build_tower,
)
from course_utils.recommend import pair_features, top_k

# %% slideshow={"slide_type": "skip"}
SEED = 42
TEST_FRACTION = 0.2
K = 10
TOWER_UNITS = (32,)  # the seed's 32-unit towers
EMBEDDING_DIM = 16  # the dot-product towers: 32 ReLU units, then a 16-d embedding
EPOCHS = 10  # every rating model trains with this schedule (see the note below)
BATCH_SIZE = 256
LEARNING_RATE = 0.003  # Adam's
SEED_VALIDATION_SPLIT = 0.2  # the seed's `validation_split`
RETRIEVAL_EPOCHS = 10  # at Keras' default learning rate: 47 batches an epoch (section 5)
N_NEW_PRODUCTS = 20
LARGE_CATALOGUE = 5000
STEPS_PER_EXECUTION = 500  # batches per compiled call: the same training, less overhead

# %% [markdown] slideshow={"slide_type": "skip"}
# **Training fast.** The seed trains 10 epochs of batch 32 at Adam's default learning
# rate: 10 epochs of 40,000 pairs are 12,500 small steps. Notebook 03 keeps that schedule,
# because it teaches it. Here every rating model trains 10 epochs of batch 256 at
# `LEARNING_RATE`, three times the default: about an eighth of the steps (section 2 prints
# both counts). What could the seed's longer schedule gain? This notebook does not train
# every model both ways, which would take longer than the whole notebook, but it bounds the
# gain: no schedule takes a model below the noise floor, and the models able to learn this
# world end 1.06 to 1.09 times the floor on test (the table of section 6), so the seed's
# schedule could gain at most about a tenth of the floor (Exercise: train one model both
# ways on validation data and compare the scores and the times). By default Keras
# also returns to Python after every batch; `steps_per_execution` runs up to that many
# batches inside one compiled call, the same batches in the same order, with less
# overhead. Models are also called once on all rows rather than through `predict`,
# which sets up a new loop per call, and the package creates each model's optimizer
# variables before `fit` starts: created inside the first compiled step, they make
# TensorFlow trace that step twice. (`jit_compile=True`, XLA, could fuse more, but Keras
# switches it off while TensorFlow's op determinism is on, which `setup` turns on so that
# every run prints the same numbers.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The seed's cell, and the mismatch it hides
#
# The seed's data: 1,000 customers with 5 features, 5 products with 3 features, and one
# random rating per customer. It tiles the product matrix to 5,000 rows:

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(123)
N, K1, K2, Q = 1000, 5, 3, 5
X1 = rng.random((N, K1))  # customer features
X2 = rng.random((Q, K2))  # product features
ratings = rng.random((N, 1))  # ONE rating per customer, not one per product
X2_tiled = np.tile(X2, (N, 1))
print("rows:", len(X1), "customers,", len(X2_tiled), "products,", len(ratings), "ratings")

# %% [markdown] slideshow={"slide_type": "subslide"}
# It trains its model with `validation_split`, and Keras does not complain. A callback
# counts the batches Keras actually runs, for training and for validation:


# %% slideshow={"slide_type": "subslide"}
class CountBatches(keras.callbacks.Callback):
    """Count the training and validation batches of a `fit`."""

    def on_train_begin(self, logs=None):
        self.train_batches, self.validation_batches = 0, 0

    def on_train_batch_end(self, batch, logs=None):
        self.train_batches += 1

    def on_test_batch_end(self, batch, logs=None):
        self.validation_batches += 1


keras.utils.set_random_seed(SEED)
input1, input2 = keras.Input(shape=(K1,)), keras.Input(shape=(K2,))
towers = [keras.layers.Dense(32, activation="relu")(x) for x in (input1, input2)]
x = keras.layers.Concatenate()(towers)
seed_model = keras.Model([input1, input2], keras.layers.Dense(1, activation="sigmoid")(x))
seed_model.compile(loss="mse", optimizer="adam")
counter = CountBatches()
seed_history = seed_model.fit(
    [X1, X2_tiled], ratings, epochs=2, batch_size=32,
    validation_split=SEED_VALIDATION_SPLIT, callbacks=[counter], verbose=0,
)
print("Keras trained anyway; losses:", np.round(seed_history.history["loss"], 3).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# Where did the other product rows go? `validation_split` runs before Keras compares row
# counts, and it takes its cut from the **first** array only: 80% of the customers' 1,000
# rows is row 800, and **every** array is cut at that row. Training gets customers 0-799,
# product rows 0-799 and ratings 0-799; validation reads as many rows as the first array
# has left, 200. Everything then has matching lengths, so the check passes, and product
# rows 1,000-4,999 are never used. The counts prove it:

# %% slideshow={"slide_type": "-"}
split_at = int(len(X1) * (1 - SEED_VALIDATION_SPLIT))
train_per_epoch = counter.train_batches // 2
validation_per_epoch = counter.validation_batches // 2
print(f"validation_split={SEED_VALIDATION_SPLIT}: every array is cut at row {split_at}")
print(f"training: {train_per_epoch} batches of 32 per epoch = rows 0-{split_at - 1}")
print(f"validation: {validation_per_epoch} batches per epoch = rows {split_at}-{len(X1) - 1}")
print(f"product rows {len(X1):,}-{len(X2_tiled) - 1:,} were never read")
assert train_per_epoch == np.ceil(split_at / 32) == seed_history.params["steps"]
assert validation_per_epoch == np.ceil((len(X1) - split_at) / 32)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Without `validation_split`, Keras does compare the row counts, and complains:

# %% slideshow={"slide_type": "-"}
try:
    seed_model.fit([X1, X2_tiled], ratings, epochs=1, verbose=0)
except ValueError as error:
    print("ValueError:", str(error).replace("\n", " "))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Even the "right" shapes would be wrong: with one rating per customer, the model cannot
# know which of the 5 products that rating was for. The fix is the pair table of notebook 01:
# one row per (customer, product) with that pair's rating. Our models (those of
# `course_utils.models`, through `PairModel` in `course_utils.row_checks`) check the rows of
# every input before Keras sees them, whatever the arguments:

# %% slideshow={"slide_type": "-"}
keras.utils.set_random_seed(SEED)
checked = ConcatTwoTower(
    build_tower(K1, TOWER_UNITS), build_tower(K2, TOWER_UNITS), output_activation="sigmoid"
)
checked.compile(loss="mse", optimizer="adam")
try:
    checked.fit(
        {"customer": X1, "product": X2_tiled}, ratings,
        validation_split=SEED_VALIDATION_SPLIT, verbose=0,
    )
except ValueError as error:
    print("ValueError:", error)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The concatenating two-tower, on the right data
#
# Our world (notebook 01), the cold-start split: 200 customers are never seen in training.
# Inputs are a dict of customer features and product features, one row per pair. Models are
# scored by their MSE (mean squared error) divided by the **noise floor**, the lowest MSE
# any model can reach on noisy ratings (notebook 01): 1 is perfect.

# %% slideshow={"slide_type": "subslide"}
world = make_world(seed=SEED)
table = pair_table(world.customer_features, world.product_features, world.ratings)
train, test = split_customers(table, TEST_FRACTION, seed=SEED)
new_customers = np.unique(test.customer_ids)
new_features = world.customer_features[new_customers]
relevance = top_k_relevance(world.expected[new_customers], K)
steps = {batch: EPOCHS * int(np.ceil(len(train) / batch)) for batch in (BATCH_SIZE, 32)}
print(f"{len(train):,} training pairs, {EPOCHS} epochs: {steps[BATCH_SIZE]:,} steps of batch "
      f"{BATCH_SIZE} here, {steps[32]:,} at the seed's batch 32")


def mse_ratio(predicted, part=test):
    return float(np.mean((predicted - part.y) ** 2) / world.noise_floor)


def predict(model, inputs) -> np.ndarray:
    """A one-output model's prediction for every row, in one call: (n_rows,)."""
    return keras.ops.convert_to_numpy(model(inputs, training=False))[:, 0]


def embed(tower, features) -> np.ndarray:
    """A tower's output for every row of features: (n_rows, embedding size)."""
    return keras.ops.convert_to_numpy(tower(features, training=False))


def adam():
    """A fresh optimizer for each model, at this notebook's learning rate."""
    return keras.optimizers.Adam(LEARNING_RATE)


# %% [markdown] slideshow={"slide_type": "subslide"}
# The seed's head is a single `Dense(1)` on the concatenated towers. That output is
# `w_c · tower(customer) + w_p · tower(product) + b`: a customer part **plus** a product
# part. It can learn that some customers rate high and some products are liked, but not
# that *this* customer likes *this* product. One hidden layer in the head lets the two
# towers interact:

# %% slideshow={"slide_type": "-"}
results = {}
for name, head in [("concat, seed's head", ()), ("concat, 32-unit head", (32,))]:
    keras.utils.set_random_seed(SEED)
    model = ConcatTwoTower(
        build_tower(5, TOWER_UNITS, name="customer_tower"),
        build_tower(10, TOWER_UNITS, name="product_tower"),
        head_units=head,
    )
    model.compile(loss="mse", optimizer=adam(), steps_per_execution=STEPS_PER_EXECUTION)
    model.fit(train.tower_inputs, train.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    results[name] = {"model": model, "mse / floor": mse_ratio(predict(model, test.tower_inputs))}
    print(f"{name}: test MSE / noise floor = {results[name]['mse / floor']:.2f}")
assert results["concat, seed's head"]["mse / floor"] > 2.0
assert results["concat, 32-unit head"]["mse / floor"] < 1.15

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The dot-product two-tower
#
# Each tower maps its features to an **embedding**: a vector of 16 learned numbers that
# stands for the customer or the product. (Keras' `Embedding` layer is a lookup table with
# one learned vector per id, used in notebook 06; here the towers *compute* the vector from
# features, which is what lets them handle customers and products they have never seen.)
# The score is the two embeddings' dot product. The towers never see each other's input,
# so the product side can be computed once for the whole catalogue.

# %% slideshow={"slide_type": "-"}
keras.utils.set_random_seed(SEED)
dot = DotTwoTower(
    build_tower(5, TOWER_UNITS, EMBEDDING_DIM, name="customer_tower"),
    build_tower(10, TOWER_UNITS, EMBEDDING_DIM, name="product_tower"),
)
dot.compile(loss="mse", optimizer=adam(), steps_per_execution=STEPS_PER_EXECUTION)
dot.fit(train.tower_inputs, train.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
dot_predictions = predict(dot, test.tower_inputs)
dot_mse = mse_ratio(dot_predictions)
print(f"dot-product two-tower: test MSE / noise floor = {dot_mse:.2f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# `DotTwoTower` adds two terms it calls biases: `Dense(1)` layers that read the customer
# embedding c and the product embedding p, giving a·c + b_c and d·p + b_p. They are not a
# free number per customer (like notebook 02's biases) but linear read-outs of the same 16
# numbers, and they add little: c·p + a·c + d·p = (c + d)·(p + a) − a·d, a plain dot
# product of shifted embeddings minus a constant. Here is the score written out in NumPy
# with the trained weights, both ways, against the model's own output:

# %% slideshow={"slide_type": "-"}
c = embed(dot.customer_tower, test.tower_inputs["customer"])  # (n_pairs, 16)
p = embed(dot.product_tower, test.tower_inputs["product"])
a, b_c = dot.customer_bias.get_weights()  # kernel (16, 1) and bias (1,)
d, b_p = dot.product_bias.get_weights()
a, d, offset = a[:, 0], d[:, 0], b_c[0] + b_p[0]
by_hand = np.sum(c * p, axis=1) + (c @ a) + (p @ d) + offset
shifted = np.sum((c + d) * (p + a), axis=1) - a @ d + offset
assert np.allclose(by_hand, dot_predictions, atol=1e-4)
assert np.allclose(shifted, by_hand, atol=1e-4)
print(f"score by hand = DotTwoTower's, on all {len(c):,} test pairs")
print(f"the 'biases' amount to the constant {offset - a @ d:.3f} on (c + d)·(p + a)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Recommending: product embeddings once, one matrix product
#
# `embed_products` runs the product tower once over the catalogue; `embed_customers` runs
# the customer tower over the new customers. The bias terms ride along as two extra
# columns, so one matrix product gives every score, the same as running each pair through
# the model. Recall@10 is the share of each customer's true top 10 (from the world's
# expected ratings, the "oracle") found in the model's top 10 (notebook 04):

# %% slideshow={"slide_type": "-"}
product_vectors = dot.embed_products(world.product_features)  # computed once, reused
customer_vectors = dot.embed_customers(new_features)
scores = customer_vectors @ product_vectors.T
print("product vectors", product_vectors.shape, " scores", scores.shape)

row_of = {customer: row for row, customer in enumerate(new_customers)}
pair_scores = scores[[row_of[c] for c in test.customer_ids], test.product_ids]
assert np.allclose(pair_scores, dot_predictions, atol=1e-4)

dot_recall = recall_at_k(top_k(scores, K), relevance, K)
print(f"recall@{K} against the oracle's top {K}: {dot_recall:.3f}")
assert dot_mse < 1.10 and dot_recall >= 0.85, (dot_mse, dot_recall)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **New products** need no retraining either: a product the model has never seen gets its
# embedding from its features alone. Twenty new products, scored for the new customers,
# against the truth the world knows for them. Without features, the best guess for a new
# product is the average rating:

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(7)
new_products = truncnorm.rvs(-1, 1, size=(N_NEW_PRODUCTS, 10), random_state=rng)
new_scores = customer_vectors @ dot.embed_products(new_products).T
expected = world.taste.expected_ratings(new_features, new_products)
floor_new = world.taste.rating_variance(new_features, new_products).mean()


def expected_mse(predicted):
    """Expected squared error against a fresh rating: the floor + (prediction - truth)^2."""
    return floor_new + np.mean((predicted - expected) ** 2)


new_ratio = expected_mse(new_scores) / floor_new
mean_ratio = expected_mse(np.full_like(new_scores, train.y.mean())) / floor_new
new_recall = recall_at_k(top_k(new_scores, 5), top_k_relevance(expected, 5), 5)
print(f"new products, MSE / noise floor: two-tower {new_ratio:.2f}, average {mean_ratio:.2f}")
print(f"new products, recall@5 among the 20: {new_recall:.3f}")
assert new_ratio < 0.6 * mean_ratio

# %% [markdown] slideshow={"slide_type": "subslide"}
# The error on new products is higher than on the 50 the tower trained on: 50 products are
# few examples to learn a product tower from, while the customer tower saw 800 customers.
# Still, the features alone take the new products most of the way from the average to the
# floor.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Training for retrieval: in-batch softmax on purchases
#
# Retrieval systems often have only implicit feedback: what was bought, nothing about
# what was not. **In-batch softmax** trains on positive pairs alone. In a batch of B
# purchases, each customer's own product is the right answer and the other B − 1 products
# of the batch are its negatives. The model's raw scores, the **logits**, are the (B, B)
# matrix of dot products: row i is customer i against every product of the batch. The
# **softmax** turns a row of logits z into probabilities, exp(z_j) / Σ_k exp(z_k): all
# positive, summing to 1, the largest logit getting the most. Customer i's loss is the
# cross-entropy −log softmax(row i)[i], small when its own product (the diagonal) gets most
# of the probability. The **temperature** divides the logits first: below 1 it sharpens the
# softmax, above 1 it flattens it (`InBatchSoftmax` keeps 1 by default). Two corrections
# (see `InBatchSoftmax`):
#
# - **accidental hits**: with 50 products, the same product appears many times in a
#   batch; it is not a negative for a customer who bought it, so those logits are removed;
# - **sampling bias**: popular products turn up as negatives more often, which would push
#   them down for everyone, so the log of each product's share of purchases q is subtracted
#   from its logits, which lifts rare products more than popular ones (the "logQ"
#   correction).

# %% slideshow={"slide_type": "subslide"}
train_customers = np.unique(train.customer_ids)
bought_customer, bought_product = np.nonzero(world.purchases[train_customers])
bought_customer = train_customers[bought_customer]
product_share = np.bincount(bought_product, minlength=world.n_products) / len(bought_product)
purchases = {
    "customer": world.customer_features[bought_customer],
    "product": world.product_features[bought_product],
    "product_id": bought_product,
}
batches = int(np.ceil(len(bought_product) / BATCH_SIZE))
print(f"{len(bought_product):,} purchases by {len(train_customers)} customers: "
      f"{batches} batches of {BATCH_SIZE} an epoch")

# %% slideshow={"slide_type": "subslide"}
keras.utils.set_random_seed(SEED)
retrieval = InBatchSoftmax(
    build_tower(5, TOWER_UNITS, EMBEDDING_DIM, name="customer_tower"),
    build_tower(10, TOWER_UNITS, EMBEDDING_DIM, name="product_tower"),
    product_probability=product_share,
)
retrieval.compile(optimizer="adam", steps_per_execution=STEPS_PER_EXECUTION)
retrieval.fit(purchases, epochs=RETRIEVAL_EPOCHS, batch_size=BATCH_SIZE, verbose=0)
retrieval_scores = (
    embed(retrieval.customer_tower, new_features)
    @ embed(retrieval.product_tower, world.product_features).T
)
retrieval_recall = recall_at_k(top_k(retrieval_scores, K), relevance, K)
popularity = np.tile(product_share, (len(new_customers), 1))
popularity_recall = recall_at_k(top_k(popularity, K), relevance, K)
print(f"recall@{K}: in-batch softmax {retrieval_recall:.3f}, popularity {popularity_recall:.3f}")
assert retrieval_recall > 1.5 * popularity_recall

# %% [markdown] slideshow={"slide_type": "subslide"}
# Trained only on what was bought, with no star ratings at all, the towers find most of
# each new customer's true top 10.
#
# The loss `InBatchSoftmax` minimised, written out in NumPy for one batch of 16 purchases
# drawn at random, and compared with the package's:

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(SEED)
rows = rng.choice(len(bought_product), size=16, replace=False)
batch = {name: values[rows] for name, values in purchases.items()}
ids = batch["product_id"]
customers = embed(retrieval.customer_tower, batch["customer"])  # (16, 16)
products = embed(retrieval.product_tower, batch["product"])  # (16, 16)
logits = customers @ products.T / retrieval.temperature  # row i: customer i, every product
logits = logits - np.log(np.clip(product_share[ids], 1e-6, 1))  # logQ, one per column
accidental = (ids[:, None] == ids[None, :]) & ~np.eye(len(ids), dtype=bool)
logits = np.where(accidental, -1e9, logits)  # a product customer i bought is no negative
losses = -np.diag(log_softmax(logits, axis=1))  # softmax per row, label on the diagonal
package = float(retrieval.compute_loss(batch, y_pred=retrieval(batch)))
print(f"{accidental.sum()} accidental hits masked; mean loss by hand {losses.mean():.3f}, "
      f"InBatchSoftmax {package:.3f}")
assert accidental.sum() > 0 and np.isclose(losses.mean(), package, rtol=1e-4)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Side by side, on new customers
#
# The MLP of notebook 03 on the same split, against the two-towers. Cost is counted in
# multiply-adds to score one customer against the catalogue: the MLP and the concatenating
# model run every (customer, product) pair through dense layers; the dot-product model runs
# one customer through its tower, then takes one dot product per product, against
# embeddings computed beforehand. `make bench` measures the same comparison in seconds.

# %% slideshow={"slide_type": "subslide"}
keras.utils.set_random_seed(SEED)
mlp = build_mlp(15)
mlp.compile(loss="mse", optimizer=adam(), steps_per_execution=STEPS_PER_EXECUTION)
mlp.fit(train.features, train.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)

n_new, n_products = len(new_customers), world.n_products
every_pair = {
    "customer": np.repeat(new_features, n_products, axis=0),
    "product": np.tile(world.product_features, (n_new, 1)),
}
concat = results["concat, 32-unit head"]["model"]
table_rows = {  # name: (test MSE / floor, scores of the new customers for every product)
    "MLP": (
        mse_ratio(predict(mlp, test.features)),
        predict(mlp, pair_features(new_features, world.product_features)),
    ),
    "concat, 32-unit head": (results["concat, 32-unit head"]["mse / floor"],
                             predict(concat, every_pair)),
    "dot-product two-tower": (dot_mse, scores),
}


# %% slideshow={"slide_type": "subslide"}
def dense_multiply_adds(model):
    """Multiply-adds of one forward pass: one per weight of every Dense kernel."""
    return sum(int(np.prod(w.shape)) for w in model.weights if w.path.endswith("kernel"))


def cost(name, n_products):
    """Multiply-adds to score one customer against n_products."""
    if name == "MLP":
        return n_products * dense_multiply_adds(mlp)
    if name.startswith("concat"):
        towers = [results[name]["model"].customer_tower, results[name]["model"].product_tower]
        # Even if both towers were cached, the head runs once per pair.
        head = dense_multiply_adds(results[name]["model"]) - sum(map(dense_multiply_adds, towers))
        return dense_multiply_adds(towers[0]) + n_products * head
    return dense_multiply_adds(dot.customer_tower) + n_products * product_vectors.shape[1]


print(f"{'':>22}{'MSE/floor':>10}{'recall@10':>10}{'cost @50':>10}{'cost @5000':>12}")
for name, (ratio, model_scores) in table_rows.items():
    recall = recall_at_k(top_k(np.reshape(model_scores, (n_new, n_products)), K), relevance, K)
    print(f"{name:>22}{ratio:>10.2f}{recall:>10.3f}{cost(name, 50):>10,}"
          f"{cost(name, LARGE_CATALOGUE):>12,}")

# %% slideshow={"slide_type": "subslide"}
for n in (world.n_products, LARGE_CATALOGUE):
    ratio = cost("MLP", n) / cost("dot-product two-tower", n)
    print(f"{n:>5} products: the MLP costs {ratio:.0f}x the dot-product model")
assert cost("MLP", 50) >= 10 * cost("dot-product two-tower", 50)
assert cost("MLP", LARGE_CATALOGUE) / cost("dot-product two-tower", LARGE_CATALOGUE) > cost(
    "MLP", 50
) / cost("dot-product two-tower", 50)

# %% [markdown] slideshow={"slide_type": "slide"}
# At 50 products all three are cheap. At 5,000 the MLP needs 15,200,000 multiply-adds per
# customer and the dot-product model 90,672 (the table above), and the product side is a
# matrix that nearest-neighbour indexes can search without scoring every product at all.
#
# ## 7. What the product tower learned
#
# The 16-d product embeddings, projected on their two main directions, with the 20 new
# products as crosses. The directions come from PCA (principal component analysis): the
# directions along which the points vary most, here the top right-singular vectors of the
# centred embeddings (an SVD). The colour is the first dimension of the hidden taste
# profile from notebook 01, which the model never saw.

# %% slideshow={"slide_type": "subslide"}
features = np.vstack([world.product_features, new_products])
all_vectors = embed(dot.product_tower, features)
centred = all_vectors - all_vectors.mean(axis=0)
_, singular_values, directions = np.linalg.svd(centred, full_matrices=False)
projected = centred @ directions[:2].T
profile = np.tanh(features @ world.taste.product_weights)  # the hidden profile, 3-d
style = {"c": profile[:, 0], "cmap": "coolwarm", "vmin": -1, "vmax": 1}
fig, ax = plt.subplots()
n = world.n_products
trained_on = {key: value[:n] if key == "c" else value for key, value in style.items()}
points = ax.scatter(projected[:n, 0], projected[:n, 1], label="trained on", **trained_on)
new_style = {key: value[n:] if key == "c" else value for key, value in style.items()}
ax.scatter(projected[n:, 0], projected[n:, 1], marker="x", label="new", **new_style)
fig.colorbar(points, label="hidden profile, dimension 1")
ax.set(xlabel="embedding direction 1", ylabel="embedding direction 2", title="Product embeddings")
ax.legend()
share = (singular_values[:2] ** 2).sum() / (singular_values**2).sum()
r_first = abs(np.corrcoef(projected[:, 0], profile[:, 0])[0, 1])
print(f"{len(features)} products; the 2 directions hold {share:.2f} of the variance; "
      f"|correlation| of direction 1 with hidden dimension 1: {r_first:.2f}")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Do products with similar hidden profiles land close together? Measured over every pair of
# the 70 products: the correlation between their distance in embedding space and their
# distance in hidden-profile space, against two references, the raw features and an
# untrained tower of the same shape:


# %% slideshow={"slide_type": "subslide"}
def pair_distances(points):
    """Euclidean distance between every two rows: (n * (n - 1) / 2,)."""
    upper = np.triu_indices(len(points), k=1)
    return np.linalg.norm(points[:, None] - points[None], axis=-1)[upper]


keras.utils.set_random_seed(SEED)
untrained = embed(build_tower(10, TOWER_UNITS, EMBEDDING_DIM), features)
hidden_distances = pair_distances(profile)
agreement = {
    name: np.corrcoef(pair_distances(points), hidden_distances)[0, 1]
    for name, points in [("trained tower", all_vectors), ("raw features", features),
                         ("untrained tower", untrained)]
}
print(f"correlation with distances between the {profile.shape[1]}-d hidden profiles:",
      ", ".join(f"{name} {r:.2f}" for name, r in agreement.items()))
assert agreement["trained tower"] > 0.7
assert agreement["trained tower"] > agreement["raw features"] + 0.2
assert agreement["trained tower"] > agreement["untrained tower"] + 0.2

# %% [markdown] slideshow={"slide_type": "slide"}
# Training put products with similar hidden profiles close together: their distances agree
# with the hidden ones far better than the features they were computed from.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The seed's cell trained on mismatched rows because `validation_split` cut **every**
#   array at row 800 of the first: 25 batches of 32 per epoch, product rows 1,000-4,999
#   never read. `PairModel` refuses it every time.
# - A concatenating two-tower with a single output unit adds a customer part to a product
#   part and cannot learn an interaction (over twice the floor); one hidden head layer fixes it.
# - The dot-product two-tower reaches the floor within 10% on new customers and finds most
#   of their true top 10; its "biases" are read-outs of the same embeddings and add only a
#   constant. New products need only their features, though 50 training products leave
#   their error well above the floor.
# - Trained by in-batch softmax on purchases alone (logits = customer embeddings times
#   product embeddings, labels on the diagonal), the same towers retrieve far better than
#   popularity.
# - Scoring against precomputed product embeddings is one matrix product: at least 10x
#   fewer multiply-adds than the MLP at 50 products, and the gap grows with the catalogue.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1 (coding, checked): the in-batch softmax loss by hand
#
# Write the loss of section 5 without the corrections, in NumPy: given the embeddings of a
# batch of B purchases (row i of `customers` bought row i of `products`) and a temperature,
# return the loss of each customer, shape (B,). The check uses a batch of 4 at temperature
# 0.5, then a batch of 3 at temperature 2, so the batch size and the temperature must come
# from the arguments.
#
# *Hint:* logits = `customers @ products.T / temperature`, shape (B, B); then
# `scipy.special.log_softmax(logits, axis=1)`; customer i's label is column i.


# %% slideshow={"slide_type": "subslide"}
def in_batch_softmax_loss(customers, products, temperature):
    """Each customer's in-batch softmax loss: customers, products (B, d) -> (B,)."""
    raise NotImplementedError("Exercise 1: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_in_batch_softmax_loss(in_batch_softmax_loss)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2 (coding, checked): recommend from precomputed embeddings
#
# Given customer embeddings (n_customers, d) and product embeddings (n_products, d), computed
# once by the towers, return the ids of each customer's k best products by dot product,
# best first: shape (n_customers, k).
#
# *Hint:* one matrix product gives every score; `np.argsort(-scores, axis=1)[:, :k]`.


# %% slideshow={"slide_type": "-"}
def top_k_by_dot(customer_vectors, product_vectors, k):
    """Each customer's k best products by dot product, best first: (n_customers, k) ids."""
    raise NotImplementedError("Exercise 2: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_top_k_by_dot(top_k_by_dot)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3 (thinking)
#
# Train the dot-product model without its bias terms (`use_bias=False`). How much worse is
# its MSE, and its recall? *Hint:* the identity in section 3.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4 (thinking)
#
# Drop the logQ correction: pass `product_probability=np.ones(50) / 50`. Which products does
# retrieval now recommend more often? *Hint:* compare with `product_share`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5 (thinking)
#
# Raise `EMBEDDING_DIM` to 64 and lower it to 2. What happens to recall@10, and why is 2
# too few? *Hint:* the hidden profile has 3 dimensions, plus biases.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it, and a
# "Model answer" line to open a written answer. Try each exercise first.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def in_batch_softmax_loss_solution(customers, products, temperature):
    """Each customer's in-batch softmax loss: customers, products (B, d) -> (B,)."""
    logits = customers @ products.T / temperature  # row i: customer i, every product
    return -np.diag(log_softmax(logits, axis=1))  # label of row i: column i


check_in_batch_softmax_loss(in_batch_softmax_loss_solution)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def top_k_by_dot_solution(customer_vectors, product_vectors, k):
    """Each customer's k best products by dot product, best first: (n_customers, k) ids."""
    scores = customer_vectors @ product_vectors.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


check_top_k_by_dot(top_k_by_dot_solution)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def train_dot(embedding_dim=EMBEDDING_DIM, use_bias=True):
    """Train a dot-product two-tower as in section 3; return (MSE / floor, recall@K)."""
    keras.utils.set_random_seed(SEED)
    model = DotTwoTower(
        build_tower(5, TOWER_UNITS, embedding_dim), build_tower(10, TOWER_UNITS, embedding_dim),
        use_bias=use_bias,
    )
    model.compile(loss="mse", optimizer=adam(), steps_per_execution=STEPS_PER_EXECUTION)
    model.fit(train.tower_inputs, train.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    model_scores = model.embed_customers(new_features) @ model.embed_products(
        world.product_features
    ).T
    ratio = mse_ratio(predict(model, test.tower_inputs))
    return ratio, recall_at_k(top_k(model_scores, K), relevance, K)


no_bias = train_dot(use_bias=False)
print(f"with biases: MSE / floor {dot_mse:.2f}, recall@{K} {dot_recall:.3f}")
print(f"without:     MSE / floor {no_bias[0]:.2f}, recall@{K} {no_bias[1]:.3f}")
slots = int(relevance.sum())  # each held-out customer's K true best products
error = np.sqrt(dot_recall * (1 - dot_recall) / slots)
print(f"standard error of a recall@{K} of {dot_recall:.3f} over {slots:,} slots: {error:.3f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer</summary>
#
# No worse: MSE / floor 1.06 both ways, and recall@10 0.914 without the bias terms against
# 0.907 with them, about one standard error apart: one training run each cannot tell them
# apart (a claim either way would need several training seeds). The identity of section 3
# says why: the two terms are linear read-outs of the same embeddings, so a model without
# them expresses the same scores with shifted embeddings, (c + d)·(p + a), up to a
# constant. Ranking one customer's products ignores anything that depends on the customer
# alone anyway. A true per-customer bias would be a free number per customer id, which a
# customer never seen in training could not have.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 4

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
keras.utils.set_random_seed(SEED)
uniform = InBatchSoftmax(
    build_tower(5, TOWER_UNITS, EMBEDDING_DIM), build_tower(10, TOWER_UNITS, EMBEDDING_DIM),
    product_probability=np.ones(world.n_products) / world.n_products,
)
uniform.compile(optimizer="adam", steps_per_execution=STEPS_PER_EXECUTION)
uniform.fit(purchases, epochs=RETRIEVAL_EPOCHS, batch_size=BATCH_SIZE, verbose=0)
uniform_scores = (
    embed(uniform.customer_tower, new_features)
    @ embed(uniform.product_tower, world.product_features).T
)
popular = np.argsort(-product_share, kind="stable")[:K]  # the 10 most bought products
for name, model_scores in [("with logQ", retrieval_scores), ("without", uniform_scores)]:
    lists = top_k(model_scores, K)
    print(f"{name:>9}: {np.isin(lists, popular).mean():.2f} of the top-{K} slots go to the "
          f"{K} most-bought products; recall@{K} {recall_at_k(lists, relevance, K):.3f}")
oracle_lists = top_k(world.expected[new_customers], K)
print(f"in the oracle's top {K}: {np.isin(oracle_lists, popular).mean():.2f} of the slots; "
      f"those products' share of all purchases: {product_share[popular].sum():.2f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer</summary>
#
# Without the correction, retrieval recommends the popular products *less*: the 10 most-bought
# products fill 0.23 of the top-10 slots instead of 0.43, and recall@10 falls from 0.833 to
# 0.628. A popular product shows up in many batches as a negative for customers who did not
# buy it, so the uncorrected loss pushes its score down for everyone, whatever their taste.
# Subtracting log q from its logits gives back what its frequency as a negative cost it;
# with a uniform q the subtraction is the same for every product and changes nothing. The
# corrected share, 0.43, is close to the oracle's own: its top-10 lists give those products
# 0.41 of the slots.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 5

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
for dim in (2, 64):
    ratio, recall = train_dot(embedding_dim=dim)
    print(f"EMBEDDING_DIM {dim:>2}: MSE / floor {ratio:.2f}, recall@{K} {recall:.3f}")
print(f"EMBEDDING_DIM {EMBEDDING_DIM}: MSE / floor {dot_mse:.2f}, recall@{K} {dot_recall:.3f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer</summary>
#
# At 64, no gain (MSE / floor 1.08, recall@10 0.901, against 1.06 and 0.907 at 16, about one
# standard error apart, Solution 3): 16 numbers already hold what the features say about
# taste. At 2, MSE / floor rises to 1.19 and recall@10 falls to 0.825, over ten standard
# errors below: a real loss. The hidden profile has 3 dimensions, and a dot
# product of 2-d vectors cannot express a 3-d match; the bias terms do not help, since they
# are read-outs of the same 2 numbers (section 3).
#
# </details>

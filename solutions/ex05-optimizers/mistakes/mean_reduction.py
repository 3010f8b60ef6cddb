# fails: train_sgd, train_lbfgs_with_closure, train_every_optimizer_random, compare_optimizers_same_start

criterion = nn.MSELoss()

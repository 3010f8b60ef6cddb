# fails: dataloader_num_workers
# delete: __main__

# MISTAKE: the training runs on import (no if __name__ == "__main__": guard)
if True:
    from torch.utils.data import random_split

    from pttutor.datasets import titanic

    torch.manual_seed(0)
    full = TitanicDataset(titanic.train_path())
    n_val = math.floor(0.2 * len(full))
    train_part, val_part = random_split(full, [len(full) - n_val, n_val],
                                        generator=torch.Generator().manual_seed(0))
    # num_workers > 0 starts worker processes: on Windows and macOS each one imports this
    # file again, which is why all of this sits under if __name__ == "__main__".
    loader = DataLoader(train_part, batch_size=32, shuffle=True, num_workers=2,
                        persistent_workers=True)
    model = TitanicModel(full.features.shape[1])
    history = train(model, loader, epochs=100, lr=0.1)
    labels = full.labels.view(-1).long()
    val_accuracy = (predict(model, val_part) == labels[val_part.indices]).float().mean().item()
    print(f"loss {history[0]:.3f} -> {history[-1]:.3f}; validation accuracy {val_accuracy:.1%}")

    test = TitanicDataset(titanic.test_path(), stats=full.stats)
    write_submission(model, test, "submission.csv")
    print(f"wrote submission.csv ({len(test)} passengers)")

# fails: compare_records_test_accuracy

def compare(models, train_loader, test_loader, epochs, device, lr=LEARNING_RATE, momentum=MOMENTUM):
    """Train every model of ``models`` (a dict name -> model) and record its test accuracy.

    Each model is moved to ``device`` and gets its own ``SGD(lr, momentum)`` optimizer; the
    models are trained one after the other. Returns ``{name: [accuracy on test_loader after
    epoch 1, ..., after epoch `epochs`]}``.
    """
    history = {}
    first = next(iter(models.values()))
    optimizer = torch.optim.SGD(first.parameters(), lr=lr, momentum=momentum)
    for name, model in models.items():
        model.to(device)
        history[name] = []
        for _ in range(epochs):
            train_epoch(model, train_loader, optimizer, device)
            history[name].append(evaluate(model, test_loader, device))
    return history

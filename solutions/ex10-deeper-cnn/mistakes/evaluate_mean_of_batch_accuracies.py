# fails: evaluate_accuracy

def evaluate(model, loader, device):
    """The accuracy of ``model`` on ``loader``: correct predictions / number of samples."""
    model.eval()
    batch_accuracies = []
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            predicted = model(inputs).argmax(dim=1)
            batch_accuracies.append((predicted == targets).float().mean().item())
    return sum(batch_accuracies) / len(batch_accuracies)

# fails: evaluate_eval_mode_no_grad

def evaluate(model, loader, device):
    """The accuracy of ``model`` on ``loader``: correct predictions / number of samples."""
    model.eval()
    correct, total = 0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        predicted = model(inputs).argmax(dim=1)
        correct += (predicted == targets).sum().item()
        total += targets.size(0)
    return correct / total

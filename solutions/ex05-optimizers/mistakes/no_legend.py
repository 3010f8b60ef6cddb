# fails: plot_losses

def plot_losses(curves):
    """One line per optimizer (loss against epoch), labelled with its name; return the Figure."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, losses in curves.items():
        ax.plot(range(len(losses)), losses, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.set_title("Linear regression with different optimizers")
    return fig

# fails: plot_fresh_figure_per_call

def plot_losses(curves):
    """One line per optimizer (loss against epoch), labelled with its name; return the Figure."""
    for name, losses in curves.items():
        plt.plot(range(len(losses)), losses, label=name)  # MISTAKE: adds to the current axes, call after call
    plt.legend()
    return plt.gcf()

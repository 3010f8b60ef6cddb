# fails: plot_fresh_figure_per_call

def plot_cost_surface(W, B, cost):
    """Draw the cost surface in 3D and return the matplotlib Figure."""
    ax = plt.axes(projection="3d")  # MISTAKE: adds to the current figure, call after call
    ax.plot_surface(W, B, cost, cmap="viridis")
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("loss")
    return plt.gcf()

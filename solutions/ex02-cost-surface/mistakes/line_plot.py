# fails: plot_is_the_surface

def plot_cost_surface(W, B, cost):
    """Draw the cost surface in 3D and return the matplotlib Figure."""
    fig = plt.figure(figsize=(7, 5))
    ax = fig.add_subplot(projection="3d")
    ax.plot(W.ravel(), B.ravel(), cost.ravel())
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("loss")
    ax.set_title("MSE of y_hat = x * w + b")
    return fig

# fails: plot_is_labelled_3d, plot_is_the_surface, plot_fresh_figure_per_call

# Look-alikes named like matplotlib's classes, holding labels and limits but drawing nothing.
class Poly3DCollection:
    pass


Poly3DCollection.__module__ = "mpl_toolkits.mplot3d.art3d"


class Axes3D:
    name = "3d"

    def __init__(self, low, high):
        self.collections = [Poly3DCollection()]
        self.limits = (low, high)

    def get_xlabel(self):
        return "w"

    def get_ylabel(self):
        return "b"

    def get_zlabel(self):
        return "loss"

    def get_zlim(self):
        return self.limits


Axes3D.__module__ = "mpl_toolkits.mplot3d.axes3d"


class Figure:
    def __init__(self, axes):
        self.axes = axes


Figure.__module__ = "matplotlib.figure"


def plot_cost_surface(W, B, cost):
    """Draw the cost surface in 3D and return the matplotlib Figure."""
    return Figure([Axes3D(float(np.min(cost)), float(np.max(cost)))])

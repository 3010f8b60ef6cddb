# fails: plot_probability

def plot_probability(model):
    """The probability over ``np.linspace(0, 10, 200)`` and the 0.5 line; return the Figure."""
    hours = np.linspace(0, 10, 200)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(hours, probability_curve(model, hours), label="P(pass)")
    ax.set_xlabel("Hours")
    ax.set_ylabel("Probability of Pass")
    ax.grid()
    ax.legend()
    return fig

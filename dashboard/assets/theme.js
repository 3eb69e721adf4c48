// The page's colour theme, its address and small helpers Dash calls in the browser.
//
// The theme is Bootstrap's colour mode (data-bs-theme on <html>): the system's
// setting until the person flips the Dark switch, which is then remembered.
// It is applied as soon as this file runs, before Dash renders, so a dark page
// never flashes white.
(function () {
  const KEY = "mnist-keras-theme";
  const systemDark = () => window.matchMedia("(prefers-color-scheme: dark)").matches;
  const stored = () => {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }
  };
  const apply = (dark) =>
    document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");

  apply(stored() ? stored() === "dark" : systemDark());
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (event) => {
    if (!stored()) apply(event.matches);
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    page: {
      // The Dark switch: on first render it shows the theme in use; a flip is remembered.
      theme: function (dark) {
        if (dark === null || dark === undefined) {
          return document.documentElement.getAttribute("data-bs-theme") === "dark";
        }
        try { window.localStorage.setItem(KEY, dark ? "dark" : "light"); } catch (error) {}
        apply(dark);
        return dark;
      },
      // The settings' query replaces the address without reloading the page or
      // adding history entries; the link box shows the whole address.
      address: function (query) {
        if (query === null || query === undefined) return window.dash_clientside.no_update;
        const url = window.location.pathname + query + window.location.hash;
        window.history.replaceState(window.history.state, "", url);
        return window.location.origin + window.location.pathname + query;
      },
      // A training started with the Train button brings its progress into view
      // where the page has two columns (the Train panel stays beside it); on a
      // phone the progress already follows the Train panel. A job the queue
      // starts ("... from the queue") never moves the page under someone drawing.
      followTraining: function (message) {
        const started = typeof message === "string" && /^Started \S+\.$/.test(message);
        const progress = document.getElementById("section-progress");
        if (started && progress && window.innerWidth > 900) {
          const box = progress.getBoundingClientRect();
          if (box.top < 0 || box.top > window.innerHeight * 0.5) {
            progress.scrollIntoView({ behavior: "smooth", block: "start" });
          }
        }
        return window.dash_clientside.no_update;
      },
      // A click on a block of the network diagram scrolls to that layer's feature maps,
      // or to the weights when the layer has none to show.
      scrollToLayer: function (layer) {
        if (!layer) return window.dash_clientside.no_update;
        const target = document.querySelector(`[data-layer="${CSS.escape(layer)}"]`) ||
          document.getElementById("weights-heading");
        if (target) target.scrollIntoView({ behavior: "smooth", block: "start" });
        return window.dash_clientside.no_update;
      },
    },
  });

  // Slider tooltips: the learning-rate slider moves in powers of ten.
  window.dccFunctions = window.dccFunctions || {};
  window.dccFunctions.powerOfTen = function (value) {
    return Number(Math.pow(10, value).toPrecision(2)).toString();
  };
})();

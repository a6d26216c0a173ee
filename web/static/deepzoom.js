// Deep zoom: OpenSeadragon reads the Item's IIIF info.json and fetches only the tiles in view,
// at the pyramid level that matches the zoom. The canvas drawer keeps pixels readable (tests,
// screenshots) and works without a GPU. `data-state` says when the first full view is drawn.
const el = document.getElementById("deepzoom-viewer");

if (el && window.OpenSeadragon) {
  const viewer = window.OpenSeadragon({
    element: el,
    prefixUrl: el.dataset.prefix,
    tileSources: el.dataset.info,
    drawer: "canvas",
    crossOriginPolicy: "Anonymous",
    showNavigator: true,
    navigatorPosition: "BOTTOM_RIGHT",
    maxZoomPixelRatio: 2,
    visibilityRatio: 0.8,
    gestureSettingsMouse: { clickToZoom: false },
  });
  el.dataset.state = "loading";
  viewer.addHandler("open", () => {
    const image = viewer.world.getItemAt(0);
    image.addHandler("fully-loaded-change", (event) => {
      el.dataset.state = event.fullyLoaded ? "loaded" : "loading";
    });
  });
  viewer.addHandler("open-failed", (event) => {
    el.dataset.state = "failed";
    el.textContent = `Deep zoom is not available: ${event.message}`;
  });
  window.deepZoomViewer = viewer;
}

// Facet checkboxes apply at once; paging restarts at page 1 because the form has no page field.
const form = document.getElementById("search-form");
if (form) {
  form.querySelectorAll(".facet input[type=checkbox]").forEach((box) =>
    box.addEventListener("change", () => form.submit()),
  );
}

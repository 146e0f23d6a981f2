// Submits the response_mode=form_post form as soon as the page loads (the page works without it: a button).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("form-post");
  if (form) { form.submit(); }
});

// The admin's logged-out page: nothing typed by the person who just left
// stays in this browser for the next one. The log-out response's
// Clear-Site-Data header already emptied the site's storage where the
// browser honours it; this covers the browsers that do not, and anything a
// closing editor page wrote as it went.
import { forgetDrafts } from "./editor/drafts.js";

forgetDrafts();

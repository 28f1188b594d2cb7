// Where the claimreview-api service answers. Point it at your deployment.
const CLAIMREVIEW_API = "http://127.0.0.1:8000";

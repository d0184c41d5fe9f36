// Following a creator through the follow API (PUT|DELETE /api/v1/creators/<id>/follow): the feed's
// Follow buttons and those of the creator and Following pages go through here.

import { api } from "./util.js";

/** Follow (`following` true) or unfollow creator `creatorId`; resolves the server's state. */
export function setFollow(creatorId, following) {
  return api(following ? "PUT" : "DELETE", `/api/v1/creators/${creatorId}/follow`);
}

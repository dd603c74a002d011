// What the page says of the signed-in person and where the server is (the json_script of
// templates/chat/home.html).

export const config = JSON.parse(document.getElementById("chat-config").textContent);
export const me = config.me;

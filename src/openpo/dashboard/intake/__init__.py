"""Orders from chats and forms: paste buyers' chats (or a WhatsApp export) or upload a Google
Forms export, correct the orders read from them in an editable preview, import the ticked
ones, and answer each buyer on WhatsApp from the result."""

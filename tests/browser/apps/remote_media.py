"""A test page that draws remote media ON PURPOSE, as a sanitizer that missed a case would let through.

Every element points at ``LISTENER_URL``, a local server that records requests: served without the
app's Content-Security-Policy the browser fetches them all; behind it, none.
"""

import os

import streamlit as st

url = os.environ["LISTENER_URL"]
st.markdown(f"Remote media page.\n\n![markdown image]({url}/markdown.png)")
st.markdown(f'<img src="{url}/markdown-html.png" alt="raw html image">', unsafe_allow_html=True)
st.html(
    f'<img src="{url}/st-html.png" alt="st.html image">'
    f'<video src="{url}/video.mp4" autoplay muted></video>'
    f'<audio src="{url}/audio.mp3" autoplay></audio>'
)
st.markdown(f'<iframe src="{url}/frame.html"></iframe>', unsafe_allow_html=True)
st.markdown("End of the remote media page.")

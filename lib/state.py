"""Every ``st.session_state`` key the app uses, and the defaults they start from.

Pages and widgets read and write state only through the names here, so a key is spelled once
and tests can use the same constants. Widget keys are separate from the values they edit: a
widget's own key is dropped when a page without that widget runs, the value must survive.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import settings

SERVER_URL = "server_url"
API_KEY = "api_key"  # typed in the sidebar for the current server; OLLAMA_API_KEY is applied by lib.access.locked
MODEL_TIMEOUT = "model_timeout"
DEFAULT_MODEL = "default_model"
USED_MODELS = "used_models"  # models this session sent a question to, the latest first (lib.model_choice)
FAILED_MODELS = "failed_models"  # models whose request this session failed for a reason of their own
ADDRESS_ERROR = "address_error"
CLIENT = "client"  # (settings it was built with, OllamaClient)
FLEET_ADDED = "fleet_added"  # [(url, name or None)]: servers added in the sidebar (lib/fleet/session.py)
SERVER_KEYS = "server_keys"  # url -> API key typed for an added server (never shown again, never logged)
FLEET_SEEN = "fleet_seen"  # url -> the models the server last listed (shown as not answering while it is down)
FLEET_DOWN = "fleet_down"  # url -> (monotonic time, OllamaError): a server that failed, not asked again for a while
CLIENTS = "fleet_clients"  # url -> (settings it was built with, OllamaClient), servers other than the sidebar's
FLEET_PROBLEM = "fleet_problem"  # why the sidebar's last change to the list of servers was refused, a sentence
FLEET_ADD_ADDRESS_INPUT = "fleet_add_address_input"  # Add a server (lib/fleet/panel.py)
FLEET_ADD_NAME_INPUT = "fleet_add_name_input"
FLEET_ADD_KEY_INPUT = "fleet_add_key_input"  # emptied as soon as it is read
FLEET_NAME_INPUT = "fleet_name_input"  # + "_<server slug>": an added server's name
FLEET_KEY_INPUT = "fleet_key_input"  # + "_<server slug>": a key for an added server, emptied as soon as it is read
FLEET_REMOVE_BUTTON = "fleet_remove_button"  # + "_<server slug>"

SERVER_URL_INPUT = "server_url_input"
API_KEY_INPUT = "api_key_input"
MODEL_TIMEOUT_INPUT = "model_timeout_input"
DEFAULT_MODEL_INPUT = "default_model_input"
ADMIN = "admin"  # True once the administrator password was entered (locked mode, lib/access/locked.py)
ADMIN_ERROR = "admin_error"
VISITOR_TOKEN = (
    "visitor_token"  # this browser's random id for its saved chats, until its cookie comes back (lib/access/visitor.py)
)
# (owner, chats moved) once this browser's chats were moved to the signed-in account (lib/access/visitor.py)
VISITOR_CARRIED = "visitor_carried"
VISITOR_CARRIED_KINDS = "visitor_carried_kinds"  # store kind -> the owner its things were carried over to
ADMIN_PASSWORD_INPUT = "admin_password_input"
SERVER_CHOICE_INPUT = "server_choice_input"  # locked mode with several fixed servers
LANGUAGE = "language"  # "en" or "zh", chosen by lib.i18n.init on the session's first run
LANGUAGE_INPUT = "language_input"
MARKDOWN_LAYOUTS = "markdown_layouts"  # how lib.ui.live_markdown drew each recent answer, so it is redrawn alike


# Page sections: each page adds its own keys below its heading.

# Chat page
CHAT_CONVERSATION = "chat_conversation"  # id of the open saved conversation; None for a new, unsaved chat
CHAT_LOADED = "chat_loaded"  # id of the conversation whose settings the widgets hold
CHAT_SAVED_SETTINGS = (
    "chat_saved_settings"  # the settings this session last loaded or saved, to save only its own changes
)
CHAT_ANSWERING = "chat_answering"  # threading.Event set once the answer being streamed is saved
CHAT_PENDING = "chat_pending"  # True when this run must stream an answer (retry, regenerate, edit and resend)
CHAT_SHOWN = "chat_shown"  # how many of the latest messages are drawn
CHAT_EDITING = "chat_editing"  # id of the user message being edited
CHAT_CONFIRM = "chat_confirm"  # ("delete" or "clear", conversation id) waiting for confirmation
CHAT_NOTICE = "chat_notice"  # (kind, text) shown once after a rerun, e.g. the result of an import
CHAT_MODEL_INPUT = "chat_model_input"
CHAT_THINK_INPUT = "chat_think_input"
CHAT_SYSTEM_INPUT = "chat_system_input"
CHAT_PROMPT_INPUT = "chat_prompt_input"
CHAT_PROMPT_SENT = (
    "chat_prompt_sent"  # a saved prompt the Prompts popover sent, asked on the next run (lib/chat/dock.py)
)
CHAT_COMPARE_PROMPT_SENT = "chat_compare_prompt_sent"  # the same beside the comparison's chat box
CHAT_SETTINGS_TO_FIX = "chat_settings_to_fix"  # a parameter, tool or schema is wrong: the chat box says so
CHAT_EDIT_INPUT = "chat_edit_input"
CHAT_SEARCH_INPUT = "chat_search_input"
CHAT_RENAME_INPUT = "chat_rename_input"
CHAT_IMPORT_INPUT = "chat_import_input"
CHAT_STOP_BUTTON = "chat_stop_button"
# Tools and answer format (lib/tools/panel.py); a tool switch's key is CHAT_TOOL_INPUT + "_<tool name>"
CHAT_TOOLS_LOADED = "chat_tools_loaded"  # id of the conversation whose tools and format the widgets hold
CHAT_TOOL_INPUT = "chat_tool_input"
CHAT_CUSTOM_TOOLS_INPUT = "chat_custom_tools_input"
CHAT_FORMAT_INPUT = "chat_format_input"
CHAT_SCHEMA_INPUT = "chat_schema_input"
CHAT_TOOL_RESULT_INPUT = "chat_tool_result_input"  # + "_<message id>_<step>": a result the user types for their tool
CHAT_MODE = "chat_mode"  # "single" or "compare", kept across page switches
CHAT_MODE_INPUT = "chat_mode_input"
CHAT_COMPARE = (
    "chat_compare"  # ids of the conversations compared side by side, one per column; None before the first message
)
CHAT_COMPARE_COUNT_INPUT = "chat_compare_count_input"
CHAT_COMPARE_MODEL_INPUT = "chat_compare_model_input"  # + "_<column>"
CHAT_COMPARE_PROMPT_INPUT = "chat_compare_prompt_input"
CHAT_COMPARE_SYSTEM_INPUT = "chat_compare_system_input"
CHAT_COMPARE_THINK_INPUT = "chat_compare_think_input"  # + "_<column>"
CHAT_COMPARE_FORMAT_INPUT = "chat_compare_format_input"
CHAT_COMPARE_SCHEMA_INPUT = "chat_compare_schema_input"
CHAT_COMPARE_LOGPROBS_INPUT = "chat_compare_logprobs_input"  # ask every column for token probabilities
CHAT_COMPARE_TOP_LOGPROBS_INPUT = "chat_compare_top_logprobs_input"  # alternatives per token
# conversation id -> lib.chat.compare.LatestTokens: the token probabilities of the columns' latest answers
CHAT_COMPARE_TOKENS = "chat_compare_tokens"
CHAT_COMPARE_VIEW_INPUT = "chat_compare_view_input"  # the latest answers as text or tinted by token probability
CHAT_COMPARE_TOKEN_INPUT = "chat_compare_token_input"  # + "_<message id>": the token whose alternatives are shown
CHAT_ROUTE = "chat_route"  # (conversation id, lib.fleet.routing.Route): where a chat on "any server" was sent, and why
CHAT_CONTEXT = "chat_context"  # (conversation, size, last message, window) -> its figures (lib/chat/context_view.py)

# Documents (lib/documents/): the chat's Documents panel and the library page
DOCUMENTS_JOBS = "documents_jobs"  # the session's files being indexed or just ended (lib.documents.jobs_view.Upload)
DOCUMENTS_NOTICE = "documents_notice"  # (kind, text) shown once after the rerun that follows an action
DOCUMENTS_CONFIRM = "documents_confirm"  # id of the document waiting for the user to confirm its deletion
DOCUMENTS_UPLOAD_ROUND = "documents_upload_round"  # bumped to give the uploaders a fresh, empty key
DOCUMENTS_MODEL_INPUT = "documents_model_input"  # the embedding model new files are indexed with
DOCUMENTS_UPLOAD_INPUT = "documents_upload_input"  # + "_<round>": files dropped into a chat
DOCUMENTS_LIBRARY_UPLOAD_INPUT = "documents_library_upload_input"  # + "_<round>": files dropped into the library
DOCUMENTS_PICK_INPUT = "documents_pick_input"  # ids of library documents to attach to the open chat
DOCUMENTS_TOP_K_INPUT = "documents_top_k_input"  # passages a question brings at most
DOCUMENTS_MIN_SCORE_INPUT = "documents_min_score_input"  # the lowest score a passage may have
DOCUMENTS_HYBRID_INPUT = "documents_hybrid_input"  # keyword matching counts too
DOCUMENTS_REINDEX_MODEL_INPUT = "documents_reindex_model_input"  # + "_<document id>"
DOCUMENTS_SENT_INPUT = "documents_sent_input"  # + "_<message id>": the answer's "Show what was sent" toggle
DOCUMENTS_SOURCES_INPUT = "documents_sources_input"  # + "_<message id>": whether the answer's Sources are open

# Generate page
GENERATE_FORM = "generate_form"  # the form's values, kept across page switches (GenerateForm)
GENERATE_PENDING = "generate_pending"  # the model a history Re-run asks to run again, else None
GENERATE_LAST = "generate_last"  # the latest RunRecord, drawn in the output area
GENERATE_HISTORY = "generate_history"  # the session's last runs, newest first
GENERATE_RUN_COUNT = "generate_run_count"
GENERATE_JOB = "generate_job"  # the Streams of the run in progress, stopped by the next run
GENERATE_MODEL_INPUT = "generate_model_input"
GENERATE_PROMPT_INPUT = "generate_prompt_input"
GENERATE_SYSTEM_INPUT = "generate_system_input"
GENERATE_SUFFIX_INPUT = "generate_suffix_input"
GENERATE_TEMPLATE_INPUT = "generate_template_input"
GENERATE_RAW_INPUT = "generate_raw_input"
GENERATE_THINK_INPUT = "generate_think_input"
GENERATE_STREAM_INPUT = "generate_stream_input"
GENERATE_FORMAT_INPUT = "generate_format_input"
GENERATE_SCHEMA_INPUT = "generate_schema_input"
GENERATE_IMAGES_INPUT = "generate_images_input"
GENERATE_UPLOAD_ROUND = "generate_upload_round"  # bumped to give the image uploader a fresh, empty key
GENERATE_RUN_BUTTON = "generate_run_button"
GENERATE_STOP_BUTTON = "generate_stop_button"
GENERATE_CLEAR_IMAGES_BUTTON = "generate_clear_images_button"
GENERATE_RESTORE_BUTTON = "generate_restore_button"  # + "_<run number>"
GENERATE_RERUN_BUTTON = "generate_rerun_button"  # + "_<run number>"
GENERATE_MODE = "generate_mode"  # "single" or "compare", kept across page switches
GENERATE_MODE_INPUT = "generate_mode_input"
GENERATE_LOGPROBS_INPUT = "generate_logprobs_input"  # ask for token probabilities
GENERATE_TOP_LOGPROBS_INPUT = "generate_top_logprobs_input"  # alternatives per token
GENERATE_TOKEN_INPUT = "generate_token_input"  # the token whose alternatives are shown (+ "_<run number>")

# Generate page, Compare mode
COMPARE_FORM = "compare_form"  # the form's values, kept across page switches (CompareForm)
COMPARE_LAST = "compare_last"  # the latest CompareRecord, drawn below the form
COMPARE_JOB = "compare_job"  # the Streams of the comparison in progress, stopped by the next run
COMPARE_RUN_COUNT = "compare_run_count"
COMPARE_PROMPT_INPUT = "compare_prompt_input"
COMPARE_SYSTEM_INPUT = "compare_system_input"
COMPARE_COUNT_INPUT = "compare_count_input"
COMPARE_SEED_INPUT = "compare_seed_input"
COMPARE_BLIND_INPUT = "compare_blind_input"
COMPARE_MODEL_INPUT = "compare_model_input"  # + "_<column>"
COMPARE_THINK_INPUT = "compare_think_input"  # + "_<column>"
COMPARE_RUN_BUTTON = "compare_run_button"
COMPARE_STOP_BUTTON = "compare_stop_button"
COMPARE_REVEAL_BUTTON = "compare_reveal_button"
COMPARE_FORMAT_INPUT = "compare_format_input"  # every column's output format (lib/ui/format_control.py)
COMPARE_SCHEMA_INPUT = "compare_schema_input"
COMPARE_LOGPROBS_INPUT = "compare_logprobs_input"  # ask every column for token probabilities
COMPARE_TOP_LOGPROBS_INPUT = "compare_top_logprobs_input"
COMPARE_VIEW_INPUT = "compare_view_input"  # answers as text or tinted by token probability
COMPARE_TOKEN_INPUT = "compare_token_input"  # + "_<comparison>_<column>": the token whose alternatives are shown
COMPARE_IMAGE_INPUT = "compare_image_input"  # + "_<upload round>": the image shared by every column
COMPARE_UPLOAD_ROUND = "compare_upload_round"  # bumped to give the image uploader a fresh, empty key
COMPARE_CLEAR_IMAGE_BUTTON = "compare_clear_image_button"

# Arena page (lib/arena/): widget keys name slots, columns and choices, never a model, so nothing
# the browser receives during a battle gives its models away.
ARENA_BATTLE = "arena_battle"  # the lib.arena.battle.Run on screen, from Start until New battle; None: the set-up
ARENA_JOB = "arena_job"  # the Streams of the battle streaming, stopped by the next run
ARENA_FORM = "arena_form"  # the set-up's widget values by widget key, kept while a battle hides the set-up
ARENA_PROBLEM = "arena_problem"  # why the last Start sent nothing, a sentence shown in the set-up
ARENA_NOTICE = "arena_notice"  # a sentence shown once after a rerun, e.g. why a vote was not taken
ARENA_ADDRESS_READ = "arena_address_read"  # True once this session opened the battle its address names
ARENA_TAB = "arena_tab"
ARENA_PICK_INPUT = "arena_pick_input"  # "choose" the models or "surprise" me
ARENA_COUNT_INPUT = "arena_count_input"
ARENA_MODEL_INPUT = "arena_model_input"  # + "_<slot>"
ARENA_THINK_INPUT = "arena_think_input"  # + "_<slot>", or "_all" with Surprise me
ARENA_SYSTEM_INPUT = "arena_system_input"  # + "_<slot>", or "_all" with Surprise me
ARENA_PROMPT_INPUT = "arena_prompt_input"
ARENA_PROMPTS_INPUT = "arena_prompts_input"  # the prompt list, one a line
ARENA_TAGS_INPUT = "arena_tags_input"
ARENA_DRAW_BUTTON = "arena_draw_button"
ARENA_START_BUTTON = "arena_start_button"
ARENA_STOP_BUTTON = "arena_stop_button"
ARENA_NEW_BUTTON = "arena_new_button"
ARENA_REVEAL_BUTTON = "arena_reveal_button"  # a room's battle: shows the models here and on the voters' screens
ARENA_VOTE_BUTTON = "arena_vote_button"  # + "_<choice>": a column's letter, "tie" or "bad"

# Embeddings page
EMBED_FORM = "embed_form"  # the page's widget values by widget key, kept across page switches
EMBED_TABLE = "embed_table"  # the label/text table as last edited (pandas DataFrame)
EMBED_TABLE_BASE = "embed_table_base"  # what the table editor started from; its edits live in its widget key
EMBED_CACHE = "embed_cache"  # lib.embeddings.cache.VectorCache: vectors by server, model, options and text
EMBED_RESULT = "embed_result"  # the latest lib.embeddings.analysis.Analysis, drawn in the views
EMBED_SOURCE_INPUT = "embed_source_input"
EMBED_LINES_INPUT = "embed_lines_input"
EMBED_TABLE_INPUT = "embed_table_input"
EMBED_FILE_INPUT = "embed_file_input"
EMBED_ENCODING_INPUT = "embed_encoding_input"  # + "_<file id>": the encoding an upload that is not UTF-8 is read in
EMBED_TEXT_COLUMN_INPUT = "embed_text_column_input"
EMBED_LABEL_COLUMN_INPUT = "embed_label_column_input"
EMBED_MODEL_INPUT = "embed_model_input"
EMBED_COMPARE_INPUT = "embed_compare_input"
EMBED_PREFIX_INPUT = "embed_prefix_input"
EMBED_QUERY_PREFIX_INPUT = "embed_query_prefix_input"
EMBED_TRUNCATE_INPUT = "embed_truncate_input"
EMBED_DIMENSIONS_INPUT = "embed_dimensions_input"
EMBED_KEEP_ALIVE_INPUT = "embed_keep_alive_input"
EMBED_RUN_BUTTON = "embed_run_button"
EMBED_QUERY_INPUT = "embed_query_input"
EMBED_SUBSET_INPUT = "embed_subset_input"
EMBED_SUBSET_START_INPUT = "embed_subset_start_input"
EMBED_SUBSET_CENTRE_INPUT = "embed_subset_centre_input"
EMBED_CLUSTER_INPUT = "embed_cluster_input"
EMBED_FULL_SCALE_INPUT = "embed_full_scale_input"
EMBED_TOP_K_INPUT = "embed_top_k_input"
EMBED_NEIGHBOUR_COUNT_INPUT = "embed_neighbour_count_input"
EMBED_TAB_INPUT = "embed_tab_input"

# Models page
MODELS_TAB = "models_tab"
MODELS_FILTER_INPUT = "models_filter_input"
MODELS_CAPABILITY_INPUT = "models_capability_input"
MODELS_DETAILS_INPUT = "models_details_input"
MODELS_NOTICE = "models_notice"  # (kind, text) shown once after the rerun that follows an action
MODELS_PENDING_DELETE = "models_pending_delete"  # (server URL, name) waiting for the user to confirm its deletion
MODELS_COPY_NAME_INPUT = "models_copy_name_input"
MODELS_COPY_DONE = "models_copy_done"  # True after a copy, so the next run empties the name box
MODELS_WARM_MODEL_INPUT = "models_warm_model_input"
MODELS_KEEP_ALIVE_INPUT = "models_keep_alive_input"
MODELS_PULL_JOB = "models_pull_job"  # lib.models.pull.PullJob, kept across page switches
MODELS_LOAD_JOB = "models_load_job"  # (name, Streams) of a load in progress, stopped by the next run
MODELS_PULL_NAME = "models_pull_name"  # the name last submitted for a pull, kept when the form is not drawn
MODELS_PULL_NAME_INPUT = "models_pull_name_input"
MODELS_MODELFILE = "models_modelfile"  # the Modelfile being written, kept across page switches
MODELS_MODELFILE_INPUT = "models_modelfile_input"
MODELS_CREATE_NAME = "models_create_name"
MODELS_CREATE_NAME_INPUT = "models_create_name_input"
MODELS_FORM_BASE_INPUT = "models_form_base_input"
MODELS_FORM_NAME_INPUT = "models_form_name_input"
MODELS_FORM_SYSTEM_INPUT = "models_form_system_input"
MODELS_FORM_STOP_INPUT = "models_form_stop_input"
MODELS_FORM_OPTION_PREFIX = "models_form_option_"
MODELS_SERVER = "models_server"  # the URL of the server the page works on, when there are several
MODELS_SERVER_INPUT = "models_server_input"
MODELS_COPY_TARGET_INPUT = "models_copy_target_input"  # the server a model is copied to (pulled there by name)

# Arena rooms (lib/arena/room_view.py): the presenter's panel and a voter's screen
ARENA_ROOM = "arena_room"  # code of the audience room this session presents; None before it opens one
ARENA_ROOM_NOTICE = "arena_room_notice"  # the presenter's last action failed: its sentence, shown once
ARENA_ROOM_OPEN_BUTTON = "arena_room_open_button"
ARENA_ROOM_CLOSE_BUTTON = "arena_room_close_button"
ARENA_ROOM_BOARD = "arena_room_board"  # the key of the room's leaderboard (lib.arena.leaderboard_view.draw)
ARENA_ROOM_VOTES = "arena_room_votes"  # a voter's choice by battle id, as the database had it (None: no vote)
ARENA_ROOM_REFUSAL = "arena_room_refusal"  # (battle id, sentence) why the voter's last vote was not counted
ARENA_ROOM_VOTE_BUTTON = "arena_room_vote_button"  # + "_<choice>"


# Evals page (lib/evals/): prompt sets, runs and their results
EVALS_TAB = "evals_tab"
EVALS_OPEN_TAB = "evals_open_tab"  # the tab the next run opens ("sets", "run" or "results"), set by an action
EVALS_SHOWN_TAB = "evals_shown_tab"  # the tab open in the last run, opened again after another page
EVALS_JOB = "evals_job"  # lib.evals.progress_view.Tracked: the job of the run in progress (or just ended) and its run
EVALS_NOTICE = "evals_notice"  # (kind, sentence) shown once after the rerun that follows an action
EVALS_CONFIRM = "evals_confirm"  # ("set" or "run", id) waiting for the user to confirm its deletion
EVALS_OPEN_SET = "evals_open_set"  # the set the next run opens in the editor (an id, or "new"), set by an action
EVALS_IMPORT_PROBLEM = "evals_import_problem"  # why the last file could not be imported, a sentence
EVALS_IMAGE_PROBLEM = "evals_image_problem"  # why the last picture could not be added, a sentence
EVALS_DRAFT = "evals_draft"  # the lib.evals.editor.Draft being edited, kept across page switches
EVALS_EDITED = "evals_edited"  # the draft's table as last edited (pandas DataFrame)
EVALS_TABLE_BASE = "evals_table_base"  # what the table editor started from; its edits live in its widget key
EVALS_FORM = "evals_form"  # the run set-up's widget values by widget key, kept while other tabs are drawn
EVALS_RUN = "evals_run"  # id of the run shown under Results
EVALS_UPLOAD_ROUND = "evals_upload_round"  # bumped to give the image and import uploaders fresh, empty keys
EVALS_SET_INPUT = "evals_set_input"  # the set open in the editor: an id, or "new"
EVALS_NAME_INPUT = "evals_name_input"
EVALS_DESCRIPTION_INPUT = "evals_description_input"
EVALS_TABLE_INPUT = "evals_table_input"
EVALS_ROW_INPUT = "evals_row_input"  # the prompt whose schema and images are edited
EVALS_SCHEMA_INPUT = "evals_schema_input"  # + "_<row id>"
EVALS_IMAGES_INPUT = "evals_images_input"  # + "_<upload round>"
EVALS_IMPORT_INPUT = "evals_import_input"  # + "_<upload round>"
EVALS_RUN_SET_INPUT = "evals_run_set_input"
EVALS_COUNT_INPUT = "evals_count_input"
EVALS_MODEL_INPUT = "evals_model_input"  # + "_<candidate>"
EVALS_THINK_INPUT = "evals_think_input"  # + "_<candidate>"
EVALS_SYSTEM_INPUT = "evals_system_input"  # + "_<candidate>"
EVALS_JUDGE_INPUT = "evals_judge_input"  # judge the answers, or not
EVALS_JUDGE_MODEL_INPUT = "evals_judge_model_input"
EVALS_RUBRIC_INPUT = "evals_rubric_input"
EVALS_START_BUTTON = "evals_start_button"
EVALS_STOP_BUTTON = "evals_stop_button"
EVALS_RESUME_BUTTON = "evals_resume_button"
EVALS_WHOLE_PAGE = "evals_whole_page"  # an action inside the results fragment needs the whole page run next
EVALS_RUN_INPUT = "evals_run_input"  # the run picked under Results
EVALS_GRID_INPUT = "evals_grid_input"  # + "_<run id>": the grid's cell selection
EVALS_PROMPT_INPUT = "evals_prompt_input"  # the grid cell's prompt, picked in a select box
EVALS_CANDIDATE_INPUT = "evals_candidate_input"  # the grid cell's candidate, picked in a select box


def options_key(prefix: str) -> str:
    """Where the parameters panel of one page keeps its values."""
    return f"{prefix}_options"


def _defaults() -> dict[str, Any]:
    return {
        SERVER_URL: settings.env_host(),
        API_KEY: None,
        LANGUAGE: None,
        MODEL_TIMEOUT: 180.0,
        DEFAULT_MODEL: None,
        USED_MODELS: [],
        FAILED_MODELS: set(),
        ADDRESS_ERROR: None,
        ADMIN: False,
        ADMIN_ERROR: None,
        CLIENT: None,
        FLEET_ADDED: [],
        SERVER_KEYS: {},
        CLIENTS: {},
        FLEET_DOWN: {},
        FLEET_SEEN: {},
        FLEET_PROBLEM: None,
        EMBED_FORM: {},
        EMBED_TABLE: None,
        EMBED_TABLE_BASE: None,
        EMBED_CACHE: None,
        EMBED_RESULT: None,
        MODELS_NOTICE: None,
        MODELS_PENDING_DELETE: None,
        MODELS_PULL_JOB: None,
        MODELS_MODELFILE: None,  # None: the page's example Modelfile, in the session's language
        MODELS_CREATE_NAME: "",
        MODELS_PULL_NAME: "",
        MODELS_SERVER: None,
        EVALS_JOB: None,
        EVALS_FORM: {},
        EVALS_UPLOAD_ROUND: 0,
    }


def init() -> None:
    """Fill in missing keys; every page calls this first (the entry script does it for them)."""
    for key, value in _defaults().items():
        st.session_state.setdefault(key, value)


def get(key: str) -> Any:
    return st.session_state.get(key)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value

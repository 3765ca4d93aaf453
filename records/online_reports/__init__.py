"""学籍在线验证报告 (online verification report): a student makes one of her records
verifiable by anyone holding a code (services.py), through her pages and the public
/verify/ page (views.py, urls.py)."""

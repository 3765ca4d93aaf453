"""POST data for the notice form: the notice, two audience rules, two contacts."""


def notice_data(**overrides) -> dict:
    data = {
        "number": "普院教发（2018）4号",
        "title": "关于做好2018、2019届毕业证图像信息校对的通知",
        "issuing_office": "普洱学院教务处",
        "drafted_by": "学籍科",
        "signed_by": "李其琛",
        "issue_date": "2018-03-14",
        "body": "## 一、校对时间\n\n4月1日（星期日）晚23:00以前。",
        "contacts": "",
        "task": "photo_check",
        "window_start": "2018-03-14T08:00",
        "window_end": "2018-04-01T23:00",
        "correction_deadline": "",
        "sheet_deadline": "2018-04-02T17:00",
        "audience-TOTAL_FORMS": "2",
        "audience-INITIAL_FORMS": "0",
        "audience-MIN_NUM_FORMS": "0",
        "audience-MAX_NUM_FORMS": "20",
        "audience-0-graduation_year": "2018",
        "audience-1-graduation_year": "2019",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "10",
        "contacts-0-office": "教务处李其琛老师",
        "contacts-0-room": "教务处214室",
        "contacts-0-phone": "0879-3000000",
    }
    data.update(overrides)
    return data

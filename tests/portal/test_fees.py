import datetime as dt


def test_zero_cost_comes_from_the_case_job_order(db):
    """A case on a domestic-worker job order (a zero-cost job) shows every fee as free."""
    from satuatap.portal.fees import zero_cost_job_for_case
    from tests import factories

    disnaker = factories.officer("LTSA-IDM", "DISNAKER")
    formal = factories.open_case(disnaker, factories.worker("32.12"))
    assert zero_cost_job_for_case(formal) is False  # a caregiver (nursing) job is not on the list
    household = factories.job_order("JO-TEST-HK-PRT", job="DOMESTIC_WORKER", employer_type="individual")
    case = factories.open_case(disnaker, factories.worker("32.12", birth_date=dt.date(1990, 3, 4)),
                               job_order_number=household.number)
    assert zero_cost_job_for_case(case) is True
